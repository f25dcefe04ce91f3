/** The one-file bundles the build writes (dist/lib/*.bundle.cjs) behave as the packages do. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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
      const r = await execa(process.execPath, [bin, 'autocomplete', 'bash'], {
        reject: false,
        env: { XDG_CACHE_HOME: cache },
      });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/aisuite autocomplete/);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
