import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redact, redactValue } from '../../../src/lib/secrets/redact.js';
import { ensureSecrets, readSecrets, SECRET_NAMES } from '../../../src/lib/secrets/store.js';

describe('secrets', () => {
  const tmp = fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-secrets-'));
  afterAll(async () => fs.rm(await tmp, { recursive: true, force: true }));

  it('are generated on first use into a 0600 file and never changed afterwards', async () => {
    const file = path.join(await tmp, 'nested', 'secrets.env');
    const first = await ensureSecrets(file);
    expect(Object.keys(first).sort()).toEqual([...SECRET_NAMES].sort());
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(first['gateway-api-key']).toMatch(/^sk-aisuite-[\w-]{20,}$/);
    const second = await ensureSecrets(file);
    expect(second).toEqual(first);
    expect(await readSecrets(file)).toEqual(first);
  });

  it('a missing secret is added without touching the others', async () => {
    const file = path.join(await tmp, 'partial.env');
    await fs.writeFile(file, 'POSTGRES_PASSWORD=keep-this-password\n', { mode: 0o600 });
    const secrets = await ensureSecrets(file);
    expect(secrets['postgres-password']).toBe('keep-this-password');
    expect(secrets['mcp-admin-token']).toMatch(/^mcp-/);
  });

  it('are redacted from any text and JSON value', async () => {
    const secrets = await ensureSecrets(path.join(await tmp, 'r.env'));
    const key = secrets['gateway-api-key'];
    expect(redact(`Authorization: Bearer ${key}`)).toBe('Authorization: Bearer ***');
    expect(redactValue({ nested: [{ value: key }] })).toEqual({ nested: [{ value: '***' }] });
  });

  it('a malformed line is a clear error naming file and line', async () => {
    const file = path.join(await tmp, 'bad.env');
    await fs.writeFile(file, '# comment\nnot a pair\n');
    await expect(readSecrets(file)).rejects.toThrow(`${file}:2: expected NAME=value`);
  });
});
