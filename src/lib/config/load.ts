import fs from 'node:fs/promises';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { didYouMean } from '../closest.js';
import { UserError } from '../errors.js';
import { SERVICE_NAMES } from '../suite/catalog.js';
import {
  didYouMeanKey,
  errorsOf,
  locatedMessages,
  parsePositioned,
  validateConfig,
} from '../schema/validate.js';
import { configSchema, type AisuiteConfig } from './schema.js';

function describe(error: ErrorObject): string {
  const where = error.instancePath.slice(1).replace(/\//g, '.');
  if (error.propertyName !== undefined) {
    const allowed =
      error.keyword === 'enum' ? `; allowed: ${(error.params.allowedValues as unknown[]).join(', ')}` : '';
    return `${where}: ${JSON.stringify(error.propertyName)} is not a service${didYouMean(error.propertyName, SERVICE_NAMES)}${allowed}`;
  }
  switch (error.keyword) {
    case 'additionalProperties':
      return (
        `unknown key ${JSON.stringify(error.params.additionalProperty)}${where ? ` in ${where}` : ''}` +
        didYouMeanKey(configSchema, error)
      );
    case 'enum':
      return `${where || 'value'} must be one of: ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    default:
      return `${where || 'config'} ${error.message ?? 'is invalid'}`;
  }
}

const invalid = (message: string) =>
  new UserError(message, { hint: 'Fix the YAML syntax at that position.', code: 'CONFIG_INVALID' });

/** Parse and validate aisuite.yaml text; errors name `file:line:col`, what was wrong and the allowed values. */
export function parseConfig(text: string, file: string): AisuiteConfig {
  const yaml = parsePositioned(text, file, invalid);
  const value = yaml.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`${file}:1:1: aisuite.yaml must be a mapping of keys to values`, {
      code: 'CONFIG_INVALID',
    });
  }
  const errors = errorsOf(validateConfig, value).filter((e) => e.keyword !== 'propertyNames');
  if (errors.length > 0) {
    throw new UserError(locatedMessages(yaml, errors, describe).join('\n'), {
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
