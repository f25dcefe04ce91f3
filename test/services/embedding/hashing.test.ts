import { describe, expect, it } from 'vitest';
import { hashEmbed, words } from '../../../src/services/embedding/hashing.js';
import { prepareTexts, readTexts } from '../../../src/services/embedding/inputs.js';

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const cos = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
  Array.from(a).reduce((s, x, i) => s + x * (b[i] as number), 0);

describe('hashing embedder', () => {
  it('is deterministic, 384-dimensional and L2-normalised', () => {
    const a = hashEmbed('PostgreSQL stores vectors with pgvector', 384);
    const b = hashEmbed('PostgreSQL stores vectors with pgvector', 384);
    expect(a).toHaveLength(384);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(norm(a)).toBeCloseTo(1, 10);
  });

  it('scores word overlap above unrelated text (lexical, not semantic)', () => {
    const q = hashEmbed('how do volcanoes erupt', 384);
    const related = hashEmbed('A volcano erupts when magma rises and volcanoes release gas', 384);
    const unrelated = hashEmbed('The stock market closed higher on bank earnings', 384);
    expect(cos(q, related)).toBeGreaterThan(cos(q, unrelated) + 0.2);
  });

  it('embeds text without words to the zero vector and drops stop words', () => {
    expect(norm(hashEmbed('!!! ...', 384))).toBe(0);
    expect(words('What is the Capital of FRANCE?')).toEqual(['capital', 'france']);
  });
});

describe('inputs', () => {
  it('cuts long texts and drops texts over the limit, counting both', () => {
    const r = prepareTexts(['a'.repeat(12), 'b', 'c'], { maxTexts: 2, maxChars: 10 });
    expect(r.texts).toEqual(['a'.repeat(10), 'b']);
    expect(r.droppedTexts).toBe(1);
    expect(r.cutTexts).toBe(1);
  });

  it('never splits a surrogate pair when cutting', () => {
    const r = prepareTexts(['abc😀def'], { maxTexts: 1, maxChars: 4 });
    expect(r.texts[0]).toBe('abc');
  });

  it('names the element that is not a string', () => {
    expect(() => readTexts(['ok', 3], 'texts')).toThrowError("'texts[1]' must be a string, got number");
    expect(() => readTexts({ a: 1 }, 'inputs')).toThrowError(/must be a string or an array/);
    expect(readTexts('one', 'input')).toEqual(['one']);
  });
});
