import { execa, type Result } from 'execa';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

/** Run the built CLI (`npm run build` first) as a user would, never throwing on a non-zero exit. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<Result> {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
    input: options.input,
    timeout: 120_000,
  });
}
