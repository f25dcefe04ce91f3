/**
 * The hashing backend: deterministic feature hashing (the "hashing trick") of word unigrams, word
 * bigrams and character trigrams into a fixed dimension, signed, with sublinear term frequency and
 * L2 normalisation. No model, no state, the same vector for the same text on every machine. Its
 * similarity is lexical overlap, not meaning: good enough for the CPU profile and for tests.
 */
import { since, type Embedder, type Phase } from './backend.js';

// Words that carry no topic; dropping them keeps short questions from matching on "what is the".
const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have how i if in ' +
    'into is it its just me my no not of on or our own so such than that the their them then there these ' +
    'they this those through to too was we were what when where which while who whom why will with would ' +
    'you your about after again all also am any because before between both during each few further he her ' +
    'here hers him his more most nor off once only other out over same she should some under until up very'
  ).split(' '),
);

const WEIGHTS = { word: 1, bigram: 0.7, trigram: 0.25 };

/** Lower-cased words (letters and digits), stop words removed. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    if (!STOPWORDS.has(m[0])) out.push(m[0]);
  }
  return out;
}

/** FNV-1a 32-bit with a final avalanche, so nearby strings land far apart. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Feature -> weight before tf damping: kind prefix keeps a word and a trigram from colliding by name. */
function features(ws: readonly string[]): Map<string, { tf: number; weight: number }> {
  const f = new Map<string, { tf: number; weight: number }>();
  const add = (key: string, weight: number): void => {
    const e = f.get(key);
    if (e) e.tf++;
    else f.set(key, { tf: 1, weight });
  };
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as string;
    add(`w:${w}`, WEIGHTS.word);
    if (i > 0) add(`b:${ws[i - 1]} ${w}`, WEIGHTS.bigram);
    const padded = `<${w}>`;
    if (padded.length > 4)
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, WEIGHTS.trigram);
  }
  return f;
}

/** The hashing embedding of `text` (an all-zero text embeds to the zero vector). */
export function hashEmbed(text: string, dimension: number): Float64Array {
  return project(features(words(text)), dimension);
}

function project(f: Map<string, { tf: number; weight: number }>, dimension: number): Float64Array {
  const v = new Float64Array(dimension);
  for (const [key, { tf, weight }] of f) {
    const h = hash32(key);
    const sign = h & 0x80000000 ? -1 : 1;
    v[h % dimension] = (v[h % dimension] as number) + sign * weight * (1 + Math.log(tf));
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dimension; i++) v[i] = (v[i] as number) / norm;
  return v;
}

export function createHashingEmbedder(model: string, dimension: number): Embedder {
  return {
    info: {
      backend: 'hashing',
      model,
      dimension,
      semantic: false,
      normalized: true,
      description:
        'deterministic feature hashing of words, word bigrams and character trigrams: lexical similarity, not semantic',
    },
    async embed(texts, time: (phase: Phase, seconds: number) => void) {
      let t0 = process.hrtime.bigint();
      const feats = texts.map((t) => features(words(t)));
      time('tokenization', since(t0));
      t0 = process.hrtime.bigint();
      const out = feats.map((f) => Array.from(project(f, dimension)));
      time('inference', since(t0));
      return out;
    },
    async dispose() {},
  };
}
