/**
 * A tiny typed writer for Alloy's configuration syntax (River): blocks, attributes, and values
 * (strings, numbers, booleans, lists, objects, references to other components' exports). Enough for the
 * config aisuite renders; names are checked so a typo cannot produce a file Alloy refuses.
 */
export interface RiverRef {
  readonly ref: string;
}
export type RiverValue =
  string | number | boolean | RiverRef | readonly RiverValue[] | { readonly [key: string]: RiverValue };

export interface RiverAttr {
  readonly kind: 'attr';
  readonly name: string;
  readonly value: RiverValue;
}
export interface RiverBlock {
  readonly kind: 'block';
  readonly name: string;
  readonly label?: string;
  readonly body: readonly RiverStatement[];
}
export type RiverStatement = RiverAttr | RiverBlock;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export const ref = (expr: string): RiverRef => {
  if (!DOTTED.test(expr)) throw new Error(`invalid River reference: ${expr}`);
  return { ref: expr };
};
export const attr = (name: string, value: RiverValue): RiverAttr => {
  if (!IDENT.test(name)) throw new Error(`invalid River attribute name: ${name}`);
  return { kind: 'attr', name, value };
};
export const block = (
  name: string,
  label: string | undefined,
  body: readonly RiverStatement[],
): RiverBlock => {
  if (!DOTTED.test(name)) throw new Error(`invalid River block name: ${name}`);
  return { kind: 'block', name, ...(label === undefined ? {} : { label }), body };
};

// River strings take Go-style escapes; JSON's escaping is a subset of them.
const quote = (text: string): string => JSON.stringify(text);
const isRef = (value: RiverValue): value is RiverRef =>
  typeof value === 'object' &&
  !Array.isArray(value) &&
  typeof (value as RiverRef).ref === 'string' &&
  Object.keys(value).length === 1;

function value(v: RiverValue, indent: string): string {
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`River has no ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isRef(v)) return v.ref;
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    const items = (v as readonly RiverValue[]).map((item) => value(item, inner));
    return `[${items.join(', ')}]`;
  }
  const entries = Object.entries(v as Record<string, RiverValue>);
  if (entries.length === 0) return '{}';
  const lines = entries.map(
    ([k, item]) => `${inner}${IDENT.test(k) ? k : quote(k)} = ${value(item, inner)},`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function statement(s: RiverStatement, indent: string): string {
  if (s.kind === 'attr') return `${indent}${s.name} = ${value(s.value, indent)}`;
  const head = `${indent}${s.name}${s.label === undefined ? '' : ` ${quote(s.label)}`} {`;
  if (s.body.length === 0) return `${head}}`;
  return [head, ...s.body.map((child) => statement(child, `${indent}  `)), `${indent}}`].join('\n');
}

/** The River text for top-level blocks, with `//` comment lines first. */
export function writeRiver(comments: readonly string[], blocks: readonly RiverBlock[]): string {
  const header = comments.map((line) => `// ${line}`.trimEnd()).join('\n');
  return `${header}\n\n${blocks.map((b) => statement(b, '')).join('\n\n')}\n`;
}
