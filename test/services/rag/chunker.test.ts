import { describe, expect, it } from 'vitest';
import { chunkText } from '../../../src/services/rag/chunker.js';

describe('chunkText', () => {
  it('keeps a short text as one chunk and drops empty text', () => {
    expect(chunkText('  one short text  ', 100, 10)).toEqual(['one short text']);
    expect(chunkText(' \n ', 100, 10)).toEqual([]);
  });

  it('splits long text at sentence ends into chunks no longer than the size, with overlap', () => {
    const text = Array.from({ length: 40 }, (_, i) => `This is sentence number ${i}.`).join(' ');
    const chunks = chunkText(text, 200, 40);
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(200);
    for (const c of chunks.slice(0, -1)) expect(c.endsWith('.')).toBe(true);
    // neighbours share some words
    const [a, b] = chunks;
    const tail = (a as string).split(' ').slice(-3).join(' ');
    expect(b).toContain(tail.split(' ').at(-1));
    // every sentence survives
    for (let i = 0; i < 40; i++) expect(chunks.some((c) => c.includes(`number ${i}.`))).toBe(true);
  });

  it('hard-splits text without any boundary and always terminates', () => {
    const chunks = chunkText('x'.repeat(1050), 100, 99);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.every((c) => c.length <= 100)).toBe(true);
  });
});
