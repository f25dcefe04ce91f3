// Bundles dependencies of many small CommonJS files into one file each next to dist/lib/bundled.js,
// which loads them (see src/lib/bundled.ts for why). Part of `npm run build`.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning', target: 'node20' };
await build({
  ...common,
  entryPoints: ['node_modules/yaml/dist/index.js'],
  outfile: 'dist/lib/yaml.bundle.cjs',
});
// ts-node and typescript: oclif's development mode only (bin/dev.js runs src/ through tsx instead)
await build({
  ...common,
  entryPoints: ['node_modules/@oclif/core/lib/index.js'],
  outfile: 'dist/lib/oclif.bundle.cjs',
  external: ['typescript', 'ts-node'],
});
