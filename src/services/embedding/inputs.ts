/** Validation and truncation of the texts of an embedding request (shared by /embed and /v1/embeddings). */
import { HttpError } from '../kit/index.js';

export interface Limits {
  maxTexts: number;
  maxChars: number;
}

export interface PreparedTexts {
  texts: string[];
  /** Texts dropped because the request had more than MAX_TEXTS. */
  droppedTexts: number;
  /** Texts cut to MAX_CHARS characters. */
  cutTexts: number;
}

/** A string or an array of strings, else a 400 naming the offending element. */
export function readTexts(value: unknown, param: string): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) {
    throw new HttpError(400, `'${param}' must be a string or an array of strings`, {
      code: 'invalid_type',
      param,
    });
  }
  value.forEach((t, i) => {
    if (typeof t !== 'string') {
      throw new HttpError(400, `'${param}[${i}]' must be a string, got ${t === null ? 'null' : typeof t}`, {
        code: 'invalid_type',
        param: `${param}[${i}]`,
      });
    }
  });
  return value as string[];
}

/** Cuts to `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  let s = text.slice(0, max);
  const last = s.charCodeAt(s.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) s = s.slice(0, -1);
  return s;
}

/** Applies MAX_TEXTS and MAX_CHARS: over-long input is truncated and counted, never rejected. */
export function prepareTexts(texts: readonly string[], limits: Limits): PreparedTexts {
  const kept = texts.length > limits.maxTexts ? texts.slice(0, limits.maxTexts) : [...texts];
  let cutTexts = 0;
  for (let i = 0; i < kept.length; i++) {
    const t = kept[i] as string;
    if (t.length > limits.maxChars) {
      kept[i] = cut(t, limits.maxChars);
      cutTexts++;
    }
  }
  return { texts: kept, droppedTexts: texts.length - kept.length, cutTexts };
}
