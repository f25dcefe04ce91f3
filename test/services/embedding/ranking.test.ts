/**
 * Ranking sanity of the hashing backend on the shipped corpus (test/fixtures/rag-corpus): for every
 * question, its document is among the 3 nearest by cosine similarity. Lexical, so the questions
 * share words with their documents, as users' questions usually do.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashEmbed } from '../../../src/services/embedding/hashing.js';

interface Corpus {
  documents: Array<{ id: string; text: string }>;
  questions: Array<{ document_id: string; question: string }>;
}

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/rag-corpus/corpus.json', import.meta.url), 'utf8'),
) as Corpus;

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe('hashing backend ranking on the shipped corpus', () => {
  it('has a few dozen documents on distinct topics, with questions for each', () => {
    expect(corpus.documents.length).toBeGreaterThanOrEqual(24);
    for (const d of corpus.documents) {
      expect(corpus.questions.filter((q) => q.document_id === d.id).length, d.id).toBeGreaterThanOrEqual(2);
    }
  });

  it('puts the relevant document in the top 3 for every question', () => {
    const docs = corpus.documents.map((d) => ({ id: d.id, v: hashEmbed(d.text, 384) }));
    const misses: string[] = [];
    const ranks: number[] = [];
    for (const q of corpus.questions) {
      const qv = hashEmbed(q.question, 384);
      const ranked = docs.map((d) => ({ id: d.id, s: dot(qv, d.v) })).sort((a, b) => b.s - a.s);
      const rank = ranked.findIndex((r) => r.id === q.document_id) + 1;
      ranks.push(rank);
      if (rank > 3) misses.push(`${q.question} -> ${q.document_id} ranked ${rank}, top: ${ranked[0]?.id}`);
    }
    expect(misses).toEqual([]);
    // Most questions should find their document first, not just in the top 3.
    expect(ranks.filter((r) => r === 1).length / ranks.length).toBeGreaterThan(0.8);
  });
});
