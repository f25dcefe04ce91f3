import type { ErrorObject } from 'ajv';
import type { Document } from 'yaml';
import { isMap, isSeq, LineCounter, parseDocument } from '../yaml.js';
import * as generated from './validators.generated.js';
import { didYouMean } from '../closest.js';

/** A validator compiled ahead of time (see generate.ts): true when valid, else `errors` says why. */
export type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export const validateConfig = generated.validateConfig as Validator;
export const validateChecksFile = generated.validateChecksFile as Validator;

/** Errors of a validation run (none when valid). */
export function errorsOf(validator: Validator, value: unknown): ErrorObject[] {
  return validator(value) ? [] : (validator.errors ?? []);
}

type Range = [number, number, number] | undefined;
const rangeOf = (node: unknown): Range => (node as { range?: Range } | null)?.range;

/** A YAML file parsed with positions; `at(offset)` is `file:line:col`. */
export interface PositionedYaml {
  readonly value: unknown;
  readonly doc: Document;
  at(offset: number): string;
}

/** Parses YAML text; a syntax error becomes `fail("file:line:col: message")`. Duplicate keys are errors. */
export function parsePositioned(
  text: string,
  file: string,
  fail: (message: string) => Error,
): PositionedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  const first = doc.errors[0];
  if (first) throw fail(`${at(first.pos[0])}: ${first.message.split('\n')[0]}`);
  return { value: doc.toJS(), doc, at };
}

/** True when the problem is a key (unknown key, key not allowed), so the position is the key's. */
function isKeyError(error: ErrorObject): boolean {
  return error.keyword === 'additionalProperties' || error.propertyName !== undefined;
}

/** The path of the value (or key) an error is about, as map keys and sequence indexes. */
function segmentsOf(error: ErrorObject): (string | number)[] {
  const segments: (string | number)[] = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  if (error.propertyName !== undefined) segments.push(error.propertyName);
  return segments;
}

/** Offset of the deepest node on the path that the document has (the key itself when the key is the problem). */
export function offsetOf(doc: Document, segments: readonly (string | number)[], atKey = false): number {
  let node: unknown = doc.contents;
  let range = rangeOf(node);
  for (const [i, segment] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === segment);
      if (!pair) break;
      const last = i === segments.length - 1;
      range = last && atKey ? rangeOf(pair.key) : (rangeOf(pair.value) ?? rangeOf(pair.key));
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      range = rangeOf(node) ?? range;
    } else break;
  }
  return range?.[0] ?? 0;
}

/** `file:line:col: message` for each error (deduplicated, in order), placed where the YAML says it. */
export function locatedMessages(
  yaml: PositionedYaml,
  errors: readonly ErrorObject[],
  describe: (error: ErrorObject) => string,
): string[] {
  const messages = errors.map(
    (e) => `${yaml.at(offsetOf(yaml.doc, segmentsOf(e), isKeyError(e)))}: ${describe(e)}`,
  );
  return [...new Set(messages)];
}

/**
 * For an unknown key (`additionalProperties`), ` (did you mean "x"?)` naming the allowed key at that
 * place it looks like a typo of, from the schema the error points into; else ''.
 */
export function didYouMeanKey(schema: object, error: ErrorObject): string {
  if (error.keyword !== 'additionalProperties' || !error.schemaPath.startsWith('#/')) return '';
  let node: unknown = schema;
  for (const segment of error.schemaPath.slice(2).split('/').slice(0, -1)) {
    node = (node as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  const allowed = Object.keys((node as { properties?: object } | undefined)?.properties ?? {});
  return didYouMean(String(error.params.additionalProperty), allowed);
}
