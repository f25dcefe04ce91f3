import type { JsonAssertion, Scalar } from './types.js';

type Token = { key: string } | { index: number } | { wildcard: true };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  for (const part of path.split('.').filter(Boolean)) {
    const m = /^([^[\]]*)((?:\[(?:\d+|\*)\])*)$/.exec(part);
    if (!m) throw new Error(`invalid JSON path segment ${JSON.stringify(part)} in ${JSON.stringify(path)}`);
    if (m[1]) tokens.push(m[1] === '*' ? { wildcard: true } : { key: m[1] });
    for (const idx of m[2]!.match(/\[(\d+|\*)\]/g) ?? []) {
      const inner = idx.slice(1, -1);
      tokens.push(inner === '*' ? { wildcard: true } : { index: Number(inner) });
    }
  }
  return tokens;
}

/** Values at `path` in `root`; `wildcard` tells whether the path can match many. */
export function selectJson(root: unknown, path: string): { values: unknown[]; wildcard: boolean } {
  const tokens = tokenize(path);
  let current: unknown[] = [root];
  let wildcard = false;
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('wildcard' in token) {
        wildcard = true;
        if (Array.isArray(value)) next.push(...value);
        else if (value && typeof value === 'object') next.push(...Object.values(value));
      } else if ('index' in token) {
        if (Array.isArray(value) && token.index < value.length) next.push(value[token.index]);
      } else if (value && typeof value === 'object' && Object.hasOwn(value, token.key)) {
        next.push((value as Record<string, unknown>)[token.key]);
      }
    }
    current = next;
  }
  return { values: current, wildcard };
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'undefined'));

function checkOne(a: JsonAssertion, value: unknown): string | undefined {
  if (a.equals !== undefined && value !== a.equals) return `is ${show(value)}, expected ${show(a.equals)}`;
  if (a.oneOf && !a.oneOf.includes(value as Scalar))
    return `is ${show(value)}, expected one of ${a.oneOf.map(show).join(', ')}`;
  if (a.min !== undefined && !(typeof value === 'number' && value >= a.min))
    return `is ${show(value)}, expected >= ${a.min}`;
  if (a.max !== undefined && !(typeof value === 'number' && value <= a.max))
    return `is ${show(value)}, expected <= ${a.max}`;
  if (a.matches !== undefined && !(typeof value === 'string' && new RegExp(a.matches).test(value)))
    return `is ${show(value)}, expected to match /${a.matches}/`;
  if (a.nonEmpty) {
    const size = Array.isArray(value)
      ? value.length
      : value && typeof value === 'object'
        ? Object.keys(value).length
        : 0;
    if (size === 0) return `is ${show(value)}, expected a non-empty list or object`;
  }
  return undefined;
}

/** Checks one assertion; returns why it failed, or undefined when it holds. */
export function checkJsonAssertion(root: unknown, a: JsonAssertion): string | undefined {
  const { values, wildcard } = selectJson(root, a.path);
  if (a.exists === false) return values.length === 0 ? undefined : `${a.path} exists, expected it absent`;
  if (values.length === 0) return `${a.path} is missing`;
  if (!wildcard) {
    const why = checkOne(a, values[0]);
    return why && `${a.path} ${why}`;
  }
  const failures = values.map((v, i) => [i, checkOne(a, v)] as const).filter(([, why]) => why !== undefined);
  if (failures.length === 0) return undefined;
  const [i, why] = failures[0]!;
  return `${a.path}: ${failures.length} of ${values.length} fail (item ${i} ${why})`;
}
