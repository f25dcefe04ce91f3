/** The one-file bundles the build writes (dist/lib/*.bundle.cjs) behave as the packages do. */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as pkg from 'yaml';
import { describe, expect, it } from 'vitest';
import * as oclifFromSrc from '../../src/lib/oclif.js';
import * as fromSrc from '../../src/lib/yaml.js';

const built = new URL('../../dist/lib/yaml.js', import.meta.url);
const builtOclif = new URL('../../dist/lib/oclif.js', import.meta.url);

describe('yaml loader', () => {
  it('loads the package itself from src/ (no bundle next to it)', () => {
    expect(fromSrc.yamlSource).toBe('package');
    expect(fromSrc.Document).toBe(pkg.Document);
  });

  it('loads the bundle from a build, with the same output as the package', async () => {
    expect(existsSync(built), 'run `npm run build` first (npm test does)').toBe(true);
    const dist = (await import(built.href)) as typeof fromSrc;
    expect(dist.yamlSource).toBe('bundle');
    expect(dist.Document).not.toBe(pkg.Document);
    // YAML 1.1 quoting (what toYaml relies on), comments, nesting, and parsing with positions
    const value = { on: 'off', ports: ['1:2', '127.0.0.1:80:80'], yes: true, nested: { list: [1, 'a b'] } };
    const render = (m: typeof pkg) => {
      const doc = new m.Document(value, { aliasDuplicateObjects: false, version: '1.1' });
      doc.commentBefore = ' generated';
      return doc.toString({ lineWidth: 0, indentSeq: true });
    };
    expect(render(dist as unknown as typeof pkg)).toBe(render(pkg));
    const text = 'a: 1\nb: [x, "y"]\nc: {d: null}\n';
    expect(dist.parse(text)).toEqual(pkg.parse(text));
    const positions = (m: typeof pkg) => {
      const lc = new m.LineCounter();
      const doc = m.parseDocument('a:\n  b: 1\n', { lineCounter: lc });
      return { map: m.isMap(doc.contents), b: lc.linePos(5) };
    };
    expect(positions(dist as unknown as typeof pkg)).toEqual({ map: true, b: { line: 2, col: 3 } });
    expect(positions(pkg)).toEqual(positions(dist as unknown as typeof pkg));
  });

  it('loads @oclif/core from the bundle in a build: flags parse as with the package', async () => {
    expect(oclifFromSrc.oclifSource).toBe('package');
    expect(existsSync(builtOclif), 'run `npm run build` first (npm test does)').toBe(true);
    const dist = (await import(builtOclif.href)) as typeof oclifFromSrc;
    expect(dist.oclifSource).toBe('bundle');
    const { Parser } = await import('@oclif/core');
    const parse = (m: typeof oclifFromSrc) =>
      Parser.parse(['--phase', '3', '-n', '2', 'x'], {
        flags: {
          phase: m.Flags.string({ options: ['1', '2', '3'] }),
          n: m.Flags.integer({ char: 'n' }),
        },
        args: { what: m.Args.string() },
      });
    const fromBundle = await parse(dist);
    expect(fromBundle.flags).toEqual({ phase: '3', n: 2 });
    expect(fromBundle.args).toEqual({ what: 'x' });
    expect(fromBundle.flags).toEqual((await parse(oclifFromSrc)).flags);
  });

  it('a plugin with its own @oclif/core copy still runs under the bundled one (autocomplete)', async () => {
    const { execa } = await import('execa');
    const bin = new URL('../../bin/run.js', import.meta.url).pathname;
    // the plugin writes its scripts into the cache dir: a temporary one
    const cache = await mkdtemp(path.join(os.tmpdir(), 'aisuite-cache-'));
    try {
      // twice: oclif import()s the plugin's command from the bundle compiled without, then with, the
      // V8 code cache the first run leaves in the state dir
      for (const run of ['first', 'cached']) {
        const r = await execa(process.execPath, [bin, 'autocomplete', 'bash'], {
          reject: false,
          env: { XDG_CACHE_HOME: cache, AISUITE_STATE_DIR: path.join(cache, 'state') },
        });
        expect(r.exitCode, `${run}: ${r.stderr}`).toBe(0);
        expect(r.stderr).not.toMatch(/error|ExperimentalWarning/i);
        expect(r.stdout).toMatch(/aisuite autocomplete/);
      }
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});

describe('one @oclif/core per process', () => {
  it('bin/run.js and the bundled command share one oclif: its bundle is compiled once per run', async () => {
    const { execa } = await import('execa');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-once-'));
    try {
      // counts every vm.Script the run compiles, by file
      const hook = path.join(dir, 'count.cjs');
      await writeFile(
        hook,
        `const vm = require('node:vm'); const Script = vm.Script;
         vm.Script = function (src, opts) { process.stderr.write('compiled ' + opts.filename + '\\n'); return new Script(src, opts); };`,
      );
      const bin = new URL('../../bin/run.js', import.meta.url).pathname;
      const r = await execa(
        process.execPath,
        ['--require', hook, bin, 'render', '--phase', '1', '--cpu', '--out', path.join(dir, 'out')],
        { reject: false, env: { AISUITE_STATE_DIR: path.join(dir, 'state') } },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      const compiled = r.stderr.split('\n').filter((l) => l.startsWith('compiled '));
      expect(compiled.filter((l) => l.endsWith('oclif.bundle.cjs'))).toHaveLength(1);
      expect(compiled.filter((l) => l.endsWith('yaml.bundle.cjs'))).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('V8 code cache of the bundles', () => {
  const bundled = new URL('../../dist/lib/bundled.js', import.meta.url).href;
  /** Loads the yaml bundle in a fresh process; what became of its code cache, and a parse through it. */
  const load = async (stateDir: string, extra: Record<string, string> = {}) => {
    const { execa } = await import('execa');
    const script = `const { loadBundled } = await import(${JSON.stringify(bundled)});
      const b = loadBundled('yaml.bundle.cjs', 'yaml');
      process.stdout.write(JSON.stringify({ cache: b.codeCache, source: b.source, parsed: b.module.parse('a: [1, x]') }));`;
    const r = await execa(process.execPath, ['--input-type=module', '-e', script], {
      env: { AISUITE_STATE_DIR: stateDir, ...extra },
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { cache: string; source: string; parsed: unknown };
  };
  const cacheFiles = async (stateDir: string) =>
    (await readdir(path.join(stateDir, 'cache', 'v8')).catch(() => [])).filter((f) => f.endsWith('.v8'));

  it('is written by the first run, used by the next, and rewritten when V8 rejects it', async () => {
    expect(existsSync(new URL(bundled)), 'run `npm run build` first (npm test does)').toBe(true);
    const state = await mkdtemp(path.join(os.tmpdir(), 'aisuite-v8-'));
    try {
      const parsed = { a: [1, 'x'] };
      expect(await load(state)).toEqual({ cache: 'none', source: 'bundle', parsed });
      const [file, ...more] = await cacheFiles(state);
      expect(more).toEqual([]);
      expect(file).toMatch(/^yaml\.bundle\.cjs-\d+-\d+\.v8$/);
      const cachePath = path.join(state, 'cache', 'v8', file as string);
      const written = await readFile(cachePath);
      expect(written.length).toBeGreaterThan(1000);
      expect(await load(state)).toEqual({ cache: 'accepted', source: 'bundle', parsed });
      // a damaged cache is rejected by V8: the module still loads from source, and the cache is replaced
      await writeFile(cachePath, Buffer.alloc(written.length, 7));
      expect(await load(state)).toEqual({ cache: 'rejected', source: 'bundle', parsed });
      expect(await load(state)).toEqual({ cache: 'accepted', source: 'bundle', parsed });
      // a cache of an earlier build of the bundle is removed when the current one is written
      await writeFile(path.join(state, 'cache', 'v8', 'yaml.bundle.cjs-1-1.v8'), 'old');
      await rm(cachePath);
      await load(state);
      expect(await cacheFiles(state)).toEqual([file]);
    } finally {
      await rm(state, { recursive: true, force: true });
    }
  });

  it('is not needed: off by AISUITE_CODE_CACHE=0, and a state dir it cannot write to changes nothing', async () => {
    const state = await mkdtemp(path.join(os.tmpdir(), 'aisuite-v8-'));
    try {
      expect((await load(state, { AISUITE_CODE_CACHE: '0' })).cache).toBe('off');
      expect(await cacheFiles(state)).toEqual([]);
      // `cache` is a file, so the cache directory cannot be made
      await writeFile(path.join(state, 'cache'), 'not a directory');
      expect(await load(state)).toMatchObject({ cache: 'none', parsed: { a: [1, 'x'] } });
      expect(await load(state)).toMatchObject({ cache: 'none' });
    } finally {
      await rm(state, { recursive: true, force: true });
    }
  });
});
