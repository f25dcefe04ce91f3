/**
 * The `yaml` package, loaded from a one-file bundle that `npm run build` writes next to this module
 * (`dist/lib/yaml.bundle.cjs`, the same package code bundled by esbuild) when it is there. The package
 * is ~45 CommonJS files: loading them took 31-42 ms of every command that reads or writes YAML on a
 * 2-core host, the bundle 10-14 ms. Without the bundle (the tests run `src/` through tsx) it loads the
 * package itself. Types come from the package: `import type { ... } from 'yaml'` loads nothing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as YamlModule from 'yaml';

const require = createRequire(import.meta.url);
const bundle = fileURLToPath(new URL('./yaml.bundle.cjs', import.meta.url));

/** Where `yaml` was loaded from: `bundle` in a build, `package` otherwise. */
export const yamlSource: 'bundle' | 'package' = existsSync(bundle) ? 'bundle' : 'package';

const yaml = (yamlSource === 'bundle' ? require(bundle) : require('yaml')) as typeof YamlModule;

export const { Document, LineCounter, isMap, isSeq, parse, parseDocument, stringify } = yaml;
