/** Deterministic "generation": the same seed, model and prompt always give the same tokens. */

const PROSE = (
  'the a model answer local suite runs on one host with a gateway that routes chat and code requests ' +
  'to the right backend while metrics show latency tokens and errors so operators can see what ' +
  'happens and act before users notice anything slow or broken today'
).split(' ');
const CODE = (
  'function const let return if else for while => ( ) { } ; = + - * / value result items map filter ' +
  'reduce async await import export class new this true false null'
).split(' ');

/** FNV-1a, 32 bit. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for deterministic text and failure sampling. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whitespace-separated words, a rough stand-in for a tokenizer (plus one per message, like templates). */
export function countTokens(text: string): number {
  const m = text.match(/\S+/g);
  return m ? m.length : 0;
}

export interface Generation {
  tokens: string[];
  finishReason: 'stop' | 'length';
}

/**
 * Between half of and all of `maxTokens` tokens; `finish_reason` is `length` when the limit was hit.
 * The code vocabulary is used when the model's name says code, so fallbacks are visible in output.
 */
export function generate(opts: {
  seed: number;
  model: string;
  prompt: string;
  maxTokens: number;
}): Generation {
  const rand = prng(hash32(`${opts.seed}\u0000${opts.model}\u0000${opts.prompt}`));
  const vocab = /code/i.test(opts.model) ? CODE : PROSE;
  const min = Math.max(1, Math.ceil(opts.maxTokens / 2));
  const n = min + Math.floor(rand() * (opts.maxTokens - min + 1));
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) tokens.push(`${i === 0 ? '' : ' '}${vocab[Math.floor(rand() * vocab.length)]}`);
  return { tokens, finishReason: n >= opts.maxTokens ? 'length' : 'stop' };
}
