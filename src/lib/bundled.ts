/**
 * A dependency loaded from a one-file bundle that `npm run build` writes into dist/lib (the same
 * package code, bundled by esbuild in scripts/bundle.mjs, which bundles the commands too) when it is
 * there, else from the package itself (the tests run `src/` through tsx, where no bundle exists). A
 * package of many small CommonJS files loads several times faster as one file on a small host: `yaml`
 * (~45 files) 31-42 ms against 10-14 ms, `@oclif/core` and its dependencies (~150 files) 79-103 ms
 * against 41-59 ms. Loaded as CommonJS, not import(): an ESM import of a CommonJS file first scans
 * the whole file for its export names.
 *
 * A bundle is compiled with V8's code cache (what Node 22's `module.enableCompileCache()` does, which
 * Node 20 lacks): the first run stores V8's compiled code for the bundle, functions compiled during
 * the run included, under `<state dir>/cache/v8/`, and later runs skip parsing and compiling it
 * (`@oclif/core`: ~60 ms -> ~25 ms on a small host). V8 checks that a cache fits the source and the
 * Node version and rejects it otherwise; a rejected or missing cache is written anew when the process
 * exits. A cache that cannot be read or written only costs the time it would have saved.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { stateRoot } from './paths.js';

const require = createRequire(import.meta.url);

export type CodeCacheUse = 'accepted' | 'rejected' | 'none' | 'off';

export interface Bundled<T> {
  readonly module: T;
  /** `bundle` in a build, `package` otherwise. */
  readonly source: 'bundle' | 'package';
  /** What became of the bundle's V8 code cache (`off` for a package, or with AISUITE_CODE_CACHE=0). */
  readonly codeCache: CodeCacheUse;
}

/** `dist/lib/<file>` when it exists, else the package `name`. */
export function loadBundled<T>(file: string, name: string, env: NodeJS.ProcessEnv = process.env): Bundled<T> {
  const bundle = fileURLToPath(new URL(`./${file}`, import.meta.url));
  if (!existsSync(bundle)) return { module: require(name) as T, source: 'package', codeCache: 'off' };
  const cacheDir = env.AISUITE_CODE_CACHE === '0' ? undefined : path.join(stateRoot(env), 'cache', 'v8');
  const { exports, codeCache } = runBundle(bundle, cacheDir);
  return { module: exports as T, source: 'bundle', codeCache };
}

/**
 * Runs a CommonJS bundle as require() would, compiled with (and leaving behind) a V8 code cache in
 * `cacheDir` when one is given. The bundle's computed `import(x)` calls were rewritten to
 * `__aisuiteImport(x)` by scripts/bundle.mjs (vm-compiled code cannot import() in Node 20 without an
 * experimental flag); this module's own import() serves them.
 */
function runBundle(
  file: string,
  cacheDir: string | undefined,
): { exports: unknown; codeCache: CodeCacheUse } {
  const source = readFileSync(file, 'utf8');
  // one cache per bundle build: an upgrade writes a new file instead of fighting over the old one
  const { size, mtimeMs } = statSync(file);
  const cacheFile =
    cacheDir && path.join(cacheDir, `${path.basename(file)}-${size}-${Math.trunc(mtimeMs)}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile ? readFileSync(cacheFile) : undefined;
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __aisuiteImport) {${source}\n})`,
    { filename: file, cachedData },
  );
  const codeCache: CodeCacheUse = !cacheFile
    ? 'off'
    : cachedData === undefined
      ? 'none'
      : script.cachedDataRejected
        ? 'rejected'
        : 'accepted';
  if (cacheFile && codeCache !== 'accepted') {
    // at exit, so the functions the command compiled while running are in the cache too
    process.once('exit', () => writeCodeCache(cacheFile, script));
  }
  const mod = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const dynamicImport = (specifier: string): Promise<unknown> => import(specifier);
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file), dynamicImport);
  return { exports: mod.exports, codeCache };
}

/** Writes the cache (temporary file, then rename) and removes the caches of earlier builds. */
function writeCodeCache(cacheFile: string, script: vm.Script): void {
  const dir = path.dirname(cacheFile);
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, cacheFile);
    const bundle = `${path.basename(cacheFile).replace(/-\d+-\d+\.v8$/, '')}-`;
    for (const f of readdirSync(dir)) {
      if (f.startsWith(bundle) && f.endsWith('.v8') && f !== path.basename(cacheFile))
        rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    // a read-only or full state dir: the next run compiles again, nothing else changes
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
  }
}
