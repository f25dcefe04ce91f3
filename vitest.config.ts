import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs only Node (and local binaries such as promtool, or Docker for
// services that need a real Postgres); `e2e` drives a real Docker engine through the CLI.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // GitHub's workflow parser imports JSON without import attributes: let Vite transform it
          server: { deps: { inline: ['@actions/workflow-parser'] } },
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
