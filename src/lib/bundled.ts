/**
 * A dependency loaded from a one-file bundle that `npm run build` writes into dist/lib (the same
 * package code, bundled by esbuild in scripts/bundle.mjs, which bundles the commands too) when it is
 * there, else from the package itself (the tests run `src/` through tsx, where no bundle exists). A package of many small CommonJS files loads several
 * times faster as one file on a small host: `yaml` (~45 files) 31-42 ms against 10-14 ms,
 * `@oclif/core` and its dependencies (~150 files) 79-103 ms against 41-59 ms. Loaded with require(),
 * not import(): an ESM import of a CommonJS file first scans the whole file for its export names.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export interface Bundled<T> {
  readonly module: T;
  /** `bundle` in a build, `package` otherwise. */
  readonly source: 'bundle' | 'package';
}

/** `dist/lib/<file>` when it exists, else the package `name`. */
export function loadBundled<T>(file: string, name: string): Bundled<T> {
  const bundle = fileURLToPath(new URL(`./${file}`, import.meta.url));
  return existsSync(bundle)
    ? { module: require(bundle) as T, source: 'bundle' }
    : { module: require(name) as T, source: 'package' };
}
