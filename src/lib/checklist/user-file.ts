import fs from 'node:fs/promises';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { didYouMean } from '../closest.js';
import { UserError } from '../errors.js';
import {
  didYouMeanKey,
  errorsOf,
  locatedMessages,
  offsetOf,
  parsePositioned,
  validateChecksFile,
} from '../schema/validate.js';
import { isSecretName, SECRET_NAMES } from '../secrets/store.js';
import { isServiceName, SERVICE_NAMES } from '../suite/catalog.js';
import type { CheckTemplate } from './definitions.js';
import { checksFileSchema } from './schema.js';

export interface UserCheckTemplate extends CheckTemplate {
  /** `file:line` where the check is defined. */
  readonly source: string;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath.slice(1).replace(/\//g, '.') || 'file';
  switch (error.keyword) {
    case 'additionalProperties':
      return (
        `unknown key ${JSON.stringify(error.params.additionalProperty)} in ${where}` +
        didYouMeanKey(checksFileSchema, error)
      );
    case 'enum':
      return `${where} must be one of: ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `${where} must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'required':
      return `${where} is missing ${JSON.stringify(error.params.missingProperty)}`;
    case 'discriminator':
      return `${where}.kind must be one of the probe kinds (http, mcp, promql, logql, grafana-dashboard, tcp, disk, file, docker, gpu, command)`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

const fail = (message: string) =>
  new UserError(message, {
    hint: 'See docs/CHECKLIST.md for the checks file format and every probe kind.',
    code: 'CHECKS_FILE_INVALID',
  });

/**
 * Parses a user checks file. Every problem is reported as `file:line:col: what is wrong`, so the user can
 * go straight to it; ids must be unique and must not reuse a built-in id.
 */
export function parseChecksFile(
  text: string,
  file: string,
  builtinIds: ReadonlySet<string> = new Set(),
): UserCheckTemplate[] {
  const yaml = parsePositioned(text, file, fail);
  const { value, doc, at } = yaml;
  const errors = errorsOf(validateChecksFile, value);
  if (errors.length > 0) {
    // oneOf/anyOf summaries repeat what their branches said; keep the specific messages
    const specific = errors.filter((e) => !['oneOf', 'anyOf', 'if', 'discriminator'].includes(e.keyword));
    throw fail(
      locatedMessages(yaml, specific.length > 0 ? specific : errors, describe)
        .slice(0, 10)
        .join('\n'),
    );
  }
  const raw = (value as { checks: (Omit<CheckTemplate, 'stage'> & { stage?: CheckTemplate['stage'] })[] })
    .checks;
  const seen = new Set<string>();
  return raw.map((check, index) => {
    const where = at(offsetOf(doc, ['checks', index], false));
    if (builtinIds.has(check.id)) throw fail(`${where}: id ${JSON.stringify(check.id)} is a built-in check`);
    if (seen.has(check.id)) throw fail(`${where}: id ${JSON.stringify(check.id)} is defined twice`);
    seen.add(check.id);
    const unknown = unknownNames(check);
    if (unknown) throw fail(`${where}: check ${check.id}: ${unknown}`);
    return {
      ...check,
      stage: check.stage ?? 'post-deploy',
      remedy: check.remedy ?? 'See the check definition in ' + file + '.',
      source: where.replace(/:\d+$/, ''),
    };
  });
}

/**
 * A `${url:NAME}`, `${host:NAME}`, `${port:NAME}` or `${secret:NAME}` (or a `when.services` entry) whose
 * NAME aisuite does not know: a typo that would otherwise only show as the check skipped when it runs.
 */
function unknownNames(check: unknown): string | undefined {
  const strings: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(check);
  const when = (check as { when?: { services?: readonly string[] } }).when?.services ?? [];
  const unknownWhen = when.filter((name) => !isServiceName(name));
  if (unknownWhen.length > 0)
    return `when.services: unknown service ${unknownWhen.map((n) => `${n}${didYouMean(n, SERVICE_NAMES)}`).join(', ')}; allowed: ${SERVICE_NAMES.join(', ')}`;
  for (const text of strings) {
    for (const [, kind, name] of text.matchAll(/\$\{(url|host|port|secret):([^}]*)\}/g)) {
      if (kind === 'secret' && !isSecretName(name ?? ''))
        return `\${secret:${name}}: unknown secret${didYouMean(name ?? '', SECRET_NAMES)}; allowed: ${SECRET_NAMES.join(', ')}`;
      if (kind !== 'secret' && !isServiceName(name ?? ''))
        return `\${${kind}:${name}}: unknown service${didYouMean(name ?? '', SERVICE_NAMES)}; allowed: ${SERVICE_NAMES.join(', ')}`;
    }
  }
  return undefined;
}

/** Reads and parses a user checks file; a file that cannot be read is bad input (exit 2). */
export async function loadChecksFile(
  file: string,
  builtinIds?: ReadonlySet<string>,
): Promise<UserCheckTemplate[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read checks file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        hint: 'Pass an existing YAML file with --file.',
        code: 'CHECKS_FILE_MISSING',
      },
    );
  }
  return parseChecksFile(text, path.relative(process.cwd(), file) || file, builtinIds);
}
