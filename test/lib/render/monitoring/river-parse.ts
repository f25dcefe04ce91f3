/**
 * A strict reader for the River subset aisuite writes (blocks, attributes, strings, numbers, booleans,
 * lists, objects, references), used to parse the rendered Alloy config back in tests. It throws on
 * anything it does not understand, so a malformed file fails the test.
 */
export type Value = string | number | boolean | { ref: string } | Value[] | { [key: string]: Value };
export interface Block {
  name: string;
  label?: string;
  attrs: Record<string, Value>;
  blocks: Block[];
}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string; value?: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new Error(`unterminated string at ${i}`);
      const text = src.slice(i, j + 1);
      tokens.push({ kind: 'string', text, value: JSON.parse(text) as string });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(src.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      if (!m) throw new Error(`bad number at ${i}`);
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if ('{}[]=,'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else {
      throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  return tokens;
}

/** Parse River text into its top-level blocks. */
export function parseRiver(src: string): Block[] {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (!t) throw new Error('unexpected end of file');
    return t;
  };
  const expect = (text: string) => {
    const t = next();
    if (t.text !== text) throw new Error(`expected ${text}, got ${t.text}`);
  };

  function value(): Value {
    const t = next();
    if (t.kind === 'string') return t.value!;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'ident') return t.text === 'true' ? true : t.text === 'false' ? false : { ref: t.text };
    if (t.text === '[') {
      const items: Value[] = [];
      while (peek()?.text !== ']') {
        items.push(value());
        if (peek()?.text === ',') next();
        else break;
      }
      expect(']');
      return items;
    }
    if (t.text === '{') {
      const obj: Record<string, Value> = {};
      while (peek()?.text !== '}') {
        const key = next();
        if (key.kind !== 'ident' && key.kind !== 'string') throw new Error(`bad object key ${key.text}`);
        expect('=');
        obj[key.value ?? key.text] = value();
        if (peek()?.text === ',') next();
        else break;
      }
      expect('}');
      return obj;
    }
    throw new Error(`unexpected ${t.text}`);
  }

  function body(block: Block, closing: boolean): void {
    while (pos < tokens.length && !(closing && peek()?.text === '}')) {
      const name = next();
      if (name.kind !== 'ident') throw new Error(`expected a name, got ${name.text}`);
      if (peek()?.text === '=') {
        next();
        if (name.text in block.attrs) throw new Error(`attribute ${name.text} set twice`);
        block.attrs[name.text] = value();
        continue;
      }
      const child: Block = { name: name.text, attrs: {}, blocks: [] };
      if (peek()?.kind === 'string') child.label = next().value;
      expect('{');
      body(child, true);
      expect('}');
      block.blocks.push(child);
    }
  }

  const root: Block = { name: '', attrs: {}, blocks: [] };
  body(root, false);
  if (Object.keys(root.attrs).length > 0) throw new Error('attributes outside of blocks');
  return root.blocks;
}
