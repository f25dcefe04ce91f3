import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { didYouMean } from '../closest.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { registerSecret } from './redact.js';

/** The suite's secrets: CLI name -> variable name in the secrets file (and in the compose interpolation). */
export const SECRET_VARIABLES = {
  'gateway-api-key': 'GATEWAY_API_KEY',
  'grafana-admin-password': 'GRAFANA_ADMIN_PASSWORD',
  'postgres-password': 'POSTGRES_PASSWORD',
  'mcp-admin-token': 'MCP_ADMIN_TOKEN',
} as const;

export type SecretName = keyof typeof SECRET_VARIABLES;
export type Secrets = Readonly<Record<SecretName, string>>;
export const SECRET_NAMES = Object.keys(SECRET_VARIABLES) as SecretName[];

export function isSecretName(name: string): name is SecretName {
  return Object.hasOwn(SECRET_VARIABLES, name);
}

/** A secret by its CLI name or by its variable name in the secrets file (`GATEWAY_API_KEY`). */
export function secretNamed(name: string): SecretName | undefined {
  if (isSecretName(name)) return name;
  return SECRET_NAMES.find((n) => SECRET_VARIABLES[n] === name);
}

/** The secret `name` (or its variable) names; else a UserError naming the one of `candidates` meant. */
export function requireSecretName(
  name: string,
  hint: string,
  candidates: readonly SecretName[] = SECRET_NAMES,
): SecretName {
  const named = secretNamed(name);
  if (named) return named;
  throw new UserError(`unknown secret ${JSON.stringify(name)}${didYouMean(name, candidates)}`, {
    hint,
    code: 'UNKNOWN_SECRET',
  });
}

function generate(name: SecretName): string {
  const prefix = name === 'gateway-api-key' ? 'sk-aisuite-' : name === 'mcp-admin-token' ? 'mcp-' : '';
  return prefix + randomBytes(24).toString('base64url');
}

function parseEnvFile(text: string, file: string): Map<string, string> {
  const values = new Map<string, string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new UserError(`${file}:${index + 1}: expected NAME=value`, {
        hint: 'Fix or remove that line; aisuite writes this file itself on first use.',
        code: 'SECRETS_FILE_INVALID',
      });
    }
    values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  });
  return values;
}

export interface SecretsFileState {
  file: string;
  exists: boolean;
  mode?: number;
}

export async function inspectSecretsFile(file: string): Promise<SecretsFileState> {
  try {
    const stat = await fs.stat(file);
    return { file, exists: true, mode: stat.mode & 0o777 };
  } catch {
    return { file, exists: false };
  }
}

/** Read the secrets file without creating it; missing names are absent from the result. */
export async function readSecrets(file: string): Promise<Partial<Record<SecretName, string>>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const values = parseEnvFile(text, file);
  const out: Partial<Record<SecretName, string>> = {};
  for (const name of SECRET_NAMES) {
    const value = values.get(SECRET_VARIABLES[name]);
    if (value) {
      out[name] = value;
      registerSecret(value);
    }
  }
  return out;
}

/**
 * Load the suite's secrets, generating the missing ones into the file (mode 0600, written atomically).
 * Existing values are never changed.
 */
export async function ensureSecrets(file: string): Promise<Secrets> {
  const existing = await readSecrets(file);
  const missing = SECRET_NAMES.filter((name) => existing[name] === undefined);
  const all = { ...existing } as Record<SecretName, string>;
  for (const name of missing) all[name] = generate(name);
  for (const name of SECRET_NAMES) registerSecret(all[name]);
  if (missing.length > 0) await writeSecrets(file, all);
  return all;
}

/** The whole file, atomically, mode 0600 (its directory 0700 when created). */
async function writeSecrets(file: string, all: Secrets): Promise<void> {
  const body = [
    '# aisuite secrets: generated on first use; keep this file private (mode 0600).',
    '# `aisuite secrets get NAME` prints one value; `aisuite secrets rotate NAME` replaces one (the Postgres',
    '# password in its database too: a value changed here alone locks its services out of the database).',
    ...SECRET_NAMES.map((name) => `${SECRET_VARIABLES[name]}=${all[name]}`),
    '',
  ].join('\n');
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, body, 0o600);
}

/**
 * Secrets `aisuite secrets rotate` replaces: the services read them from their environment at start, so
 * the next `aisuite up` recreates them with the new value; the Postgres password is also changed in the
 * running database first (its volume keeps the password it was initialised with). Not Grafana's admin
 * password: Grafana keeps the one of its first start in its own database.
 */
export const ROTATABLE_SECRETS: readonly SecretName[] = [
  'gateway-api-key',
  'mcp-admin-token',
  'postgres-password',
];

/**
 * Replace one secret with a newly generated value (the others unchanged; the new value is redacted).
 * `before(from, to)` runs first (e.g. the database's own change); when writing the file then fails, it
 * runs again with the values swapped, so both sides keep the old value.
 */
export async function rotateSecret(
  file: string,
  name: SecretName,
  before?: (from: string, to: string) => Promise<void>,
): Promise<void> {
  const current = await ensureSecrets(file);
  const to = generate(name);
  registerSecret(to);
  await before?.(current[name], to);
  try {
    await writeSecrets(file, { ...current, [name]: to });
  } catch (error) {
    const undone = before
      ? await before(to, current[name]).then(
          () => true,
          () => false,
        )
      : true;
    throw new UserError(
      `writing ${file} failed: ${(error as Error).message}` +
        (undone ? '' : `; ${name} was already changed where it is used, and setting it back failed too`),
      { hint: 'Free the disk or fix the permissions, then rotate again.', code: 'SECRETS_WRITE_FAILED' },
    );
  }
}
