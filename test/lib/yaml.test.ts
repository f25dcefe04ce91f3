/** The one-file `yaml` bundle the build writes (dist/lib/yaml.bundle.cjs) behaves as the package does. */
import { existsSync } from 'node:fs';
import * as pkg from 'yaml';
import { describe, expect, it } from 'vitest';
import * as fromSrc from '../../src/lib/yaml.js';

const built = new URL('../../dist/lib/yaml.js', import.meta.url);

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
});
