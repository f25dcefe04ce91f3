import fs from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { UserError } from '../errors.js';
import { configSchema, type AisuiteConfig } from './schema.js';

// ajv-formats is CommonJS; its default export arrives nested under ESM interop
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(value: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    validator = ajv.compile(configSchema);
  }
  return validator(value) ? [] : (validator.errors ?? []);
}

/** True when the problem is a key (unknown key, key not allowed), so the position is the key's. */
function isKeyError(error: ErrorObject): boolean {
  return error.keyword === 'additionalProperties' || error.propertyName !== undefined;
}

function pathOf(error: ErrorObject): (string | number)[] {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  if (error.propertyName !== undefined) segments.push(error.propertyName);
  return segments;
}

function describe(error: ErrorObject, where: string): string {
  if (error.propertyName !== undefined) {
    const allowed =
      error.keyword === 'enum' ? `; allowed: ${(error.params.allowedValues as unknown[]).join(', ')}` : '';
    return `${where}: ${JSON.stringify(error.propertyName)} is not a service${allowed}`;
  }
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key ${JSON.stringify(error.params.additionalProperty)}${where ? ` in ${where}` : ''}`;
    case 'enum':
      return `${where || 'value'} must be one of: ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    default:
      return `${where || 'config'} ${error.message ?? 'is invalid'}`;
  }
}

function locate(
  doc: Document,
  lines: LineCounter,
  segments: (string | number)[],
  atKey: boolean,
): { line: number; col: number } {
  // walk down as far as the document goes; report the deepest node found (a key when the key is the problem)
  let node: unknown = doc.contents;
  let range: [number, number, number] | undefined = (node as { range?: [number, number, number] })?.range;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === segment);
      if (!pair) break;
      const keyRange = (pair.key as { range?: [number, number, number] })?.range;
      const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
      const last = segment === segments[segments.length - 1];
      range = (last && atKey) || valueRange === undefined ? keyRange : valueRange;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      range = (node as { range?: [number, number, number] })?.range ?? range;
    } else break;
  }
  const pos = lines.linePos(range?.[0] ?? 0);
  return { line: pos.line, col: pos.col };
}

/** Parse and validate aisuite.yaml text; errors name `file:line:col`, what was wrong and the allowed values. */
export function parseConfig(text: string, file: string): AisuiteConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lines.linePos(first.pos[0]);
    throw new UserError(`${file}:${pos.line}:${pos.col}: ${first.message.split('\n')[0]}`, {
      hint: 'Fix the YAML syntax at that position.',
      code: 'CONFIG_INVALID',
    });
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`${file}:1:1: aisuite.yaml must be a mapping of keys to values`, {
      code: 'CONFIG_INVALID',
    });
  }
  const errors = validate(value);
  if (errors.length > 0) {
    const messages = errors
      .filter((e) => e.keyword !== 'propertyNames')
      .map((error) => {
        const segments = pathOf(error);
        const where = error.instancePath.slice(1).replace(/\//g, '.');
        const pos = locate(doc, lines, segments, isKeyError(error));
        return `${file}:${pos.line}:${pos.col}: ${describe(error, where)}`;
      });
    throw new UserError([...new Set(messages)].join('\n'), {
      hint: 'See docs/CONFIG.md for every key and its allowed values.',
      code: 'CONFIG_INVALID',
    });
  }
  return value as AisuiteConfig;
}

/** Load aisuite.yaml: an explicit path must exist; the default `./aisuite.yaml` is optional. */
export async function loadConfig(
  file: string | undefined,
  cwd = process.cwd(),
): Promise<{ config: AisuiteConfig; file?: string }> {
  const explicit = file !== undefined;
  const resolved = path.resolve(cwd, file ?? 'aisuite.yaml');
  let text: string;
  try {
    text = await fs.readFile(resolved, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return { config: {} };
    throw new UserError(`cannot read config file ${resolved}: ${(error as Error).message}`, {
      hint: 'Pass an existing file with --config, or leave it out to use the defaults.',
      code: 'CONFIG_MISSING',
    });
  }
  const config = parseConfig(text, path.relative(cwd, resolved) || resolved);
  return { config: resolveRelativePaths(config, path.dirname(resolved)), file: resolved };
}

function resolveRelativePaths(config: AisuiteConfig, base: string): AisuiteConfig {
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(base, p));
  return {
    ...config,
    modelsDir: abs(config.modelsDir),
    secretsFile: abs(config.secretsFile),
    build: config.build && { ...config.build, caFile: abs(config.build.caFile) },
    checklist: config.checklist && { ...config.checklist, file: abs(config.checklist.file) },
  };
}
