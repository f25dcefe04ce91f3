// Part of `npm run build`, after tsc: bundles what the CLI loads on every command (why: src/lib/bundled.ts)
// and what every suite container loads (3.).
// 1. Dependencies of many small CommonJS files, one file each in dist/lib, loaded by dist/lib/bundled.js.
// 2. The commands: every dist/commands/**/*.js with the modules it imports, as ES modules with code
//    splitting into dist/lib (entries `command-<id>.js`, shared `chunk-<hash>.js`; modules a command
//    imports lazily stay lazy, in their own chunks). The command files oclif's manifest names become
//    one-line re-exports of their bundle. Everything lands in dist/lib, where the modules that locate
//    files by import.meta.url (paths.ts: the package root is two levels up; bundled.ts) expect to be.
//    Packages stay external (loaded from node_modules), except listr2 and chalk (below).
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const node = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const IN_COMMAND_BUNDLES = ['listr2', 'chalk'];
// bundled CommonJS code in an ES module output calls require(), which ES modules do not have
const REQUIRE_BANNER =
  "import { createRequire as __aisuiteRequire } from 'node:module'; const require = __aisuiteRequire(import.meta.url);";

// The CommonJS bundles run through src/lib/bundled.ts, which compiles them with V8's code cache
// (node:vm). In Node 20 an `import()` inside vm-compiled code needs an experimental flag, so each
// computed `import(x)` (oclif loads command modules so) becomes `__aisuiteImport(x)`, a function
// bundled.ts passes in; static `import('pkg')` calls are bundled by esbuild as usual.
const DYNAMIC_IMPORT = /(?<![\w$.'"`])import\((?!\s*['"])/g;
// oclif sorts a plugin's commands with localeCompare on every run; the first localeCompare of a
// process loads ICU's collator (~8 ms on a small host), so command ids (ASCII) are compared by code
// unit instead, as aisuite's own code does (src/lib/compare.ts). The build fails if the line moved.
const OCLIF_SORT = {
  file: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/,
  from: '.sort((a, b) => a.id.localeCompare(b.id))',
  to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
};
// oclif checks the Node version against its own package.json's engines at load: in the bundle that
// file is not next to it (dist/package.json), so the check always ends in its catch, after loading
// semver for nothing (~3 ms). The call is dropped; aisuite's own engines field is npm's to enforce.
const OCLIF_ENGINE_CHECK = {
  file: /@oclif[\\/]core[\\/]lib[\\/]index\.js$/,
  from: '\ncheckNodeVersion();\n',
  to: '\n',
};
/** Rewrites each bundled file's computed import() calls, and applies `patches` ({file, from, to}). */
const rewrite = (patches) => ({
  name: 'rewrite',
  setup(b) {
    b.onLoad({ filter: /\.(c|m)?js$/ }, async (args) => {
      let text = readFileSync(args.path, 'utf8');
      const original = text;
      for (const p of patches.filter((p) => p.file.test(args.path))) {
        if (!text.includes(p.from))
          throw new Error(`${args.path}: "${p.from}" not found (scripts/bundle.mjs)`);
        p.applied = true;
        text = text.replace(p.from, p.to);
      }
      text = text.replace(DYNAMIC_IMPORT, '__aisuiteImport(');
      return text === original ? undefined : { contents: text, loader: 'js' };
    });
  },
});
const cjsBundle = async (entry, outfile, external = [], patches = []) => {
  await build({
    ...node,
    format: 'cjs',
    entryPoints: [entry],
    outfile,
    external,
    plugins: [rewrite(patches)],
  });
  const unused = patches.filter((p) => !p.applied);
  if (unused.length) throw new Error(`${outfile}: no file matched ${unused.map((p) => p.file).join(', ')}`);
  const left = readFileSync(outfile, 'utf8').match(DYNAMIC_IMPORT);
  if (left) throw new Error(`${outfile}: ${left.length} import() call(s) not routed through __aisuiteImport`);
};
await cjsBundle('node_modules/yaml/dist/index.js', 'dist/lib/yaml.bundle.cjs');
// ts-node and typescript serve oclif's development mode only (bin/dev.js runs src/ through tsx instead)
await cjsBundle(
  'node_modules/@oclif/core/lib/index.js',
  'dist/lib/oclif.bundle.cjs',
  ['typescript', 'ts-node'],
  [OCLIF_SORT, OCLIF_ENGINE_CHECK],
);

const files = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.js') ? [p] : [];
  });
const commands = new Map(
  files('dist/commands').map((file) => [
    `command-${path.relative('dist/commands', file).replace(/\.js$/, '').split(path.sep).join('-')}`,
    file,
  ]),
);
await build({
  ...node,
  format: 'esm',
  splitting: true,
  // listr2 (every deploying command draws its progress with it) and chalk are ES modules of many
  // small files: bundled into the commands' chunks, they are not resolved and loaded file by file.
  // The other packages stay external (oclif and yaml come from their own bundles above).
  external: Object.keys(pkg.dependencies)
    .filter((name) => !IN_COMMAND_BUNDLES.includes(name))
    .flatMap((name) => [name, `${name}/*`]),
  banner: { js: REQUIRE_BANNER },
  // bin/run.js and the commands must share dist/lib/oclif.js: a copy inlined into a chunk loaded
  // and initialised @oclif/core a second time in every command (~10-30 ms)
  plugins: [
    {
      name: 'shared-oclif',
      setup(b) {
        b.onResolve({ filter: /\/oclif\.js$/ }, (args) =>
          path.resolve(args.resolveDir, args.path) === path.resolve('dist/lib/oclif.js')
            ? { path: './oclif.js', external: true }
            : undefined,
        );
      },
    },
  ],
  entryPoints: Object.fromEntries(commands),
  outdir: 'dist/lib',
  chunkNames: 'chunk-[hash]',
});
for (const [name, file] of commands) {
  const target = path
    .relative(path.dirname(file), path.join('dist/lib', `${name}.js`))
    .split(path.sep)
    .join('/');
  writeFileSync(file, `export { default } from '${target.startsWith('.') ? target : `./${target}`}';\n`);
}

// 3. The services image's entry (dist/services/main.js, run in every suite container) with its
//    dependencies, as ES modules with code splitting next to it: one chunk per service (main.js
//    imports each lazily) and the shared kit. A container then reads a few files instead of
//    hundreds (fastify, pino, prom-client, undici are many small CommonJS modules): the gateway is
//    listening in ~0.35 s instead of ~0.6 s, mock-inference in ~0.25 s instead of ~0.4 s.
//    Native and optional packages stay external and load from the image's node_modules (the
//    banner: see REQUIRE_BANNER).
await build({
  ...node,
  format: 'esm',
  splitting: true,
  allowOverwrite: true,
  entryPoints: ['dist/services/main.js'],
  outdir: 'dist/services',
  chunkNames: 'chunk-[hash]',
  external: ['better-sqlite3', 'pg-native', '@huggingface/transformers', 'onnxruntime-node'],
  banner: { js: REQUIRE_BANNER },
});
// Left from tsc: the map of the main.js the bundle replaced, and the services' own modules, now all
// inside main.js and its chunks (every import in src/services is static or a literal import()). They
// would go into the image and its content hash for nothing (132 files, ~4 MB with their maps).
rmSync('dist/services/main.js.map', { force: true });
for (const entry of readdirSync('dist/services', { withFileTypes: true })) {
  if (entry.isDirectory()) rmSync(path.join('dist/services', entry.name), { recursive: true });
}

// 4. Every relative import in tsc's outputs (kept in dist/lib next to the bundles) resolves: an import
//    of a module step 3 removed (src/lib importing from src/services) would only fail when loaded.
const BUNDLE_OUTPUT = /(^|[\\/])(chunk|command)-[^\\/]*\.js$|^dist[\\/]services[\\/]main\.js$/;
const RELATIVE_IMPORT =
  /^(?:import|export)\b[^;'"]*?(?:\bfrom\s*)?(['"])(\.{1,2}\/[^'"]+)\1|\bimport\((['"])(\.{1,2}\/[^'"]+)\3\)/gm;
const broken = files('dist')
  .filter((file) => !BUNDLE_OUTPUT.test(file))
  .flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)]
      .map((m) => m[2] ?? m[4])
      .filter((spec) => !existsSync(path.resolve(path.dirname(file), spec)))
      .map((spec) => `${file}: ${spec}`),
  );
if (broken.length) throw new Error(`imports of files not in dist:\n${broken.join('\n')}`);
