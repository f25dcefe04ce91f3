import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { start } from '../../../src/services/mcp-server/index.js';
import { api } from './helpers.js';

describe('mcp-server bootstrap token', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aisuite-mcp-boot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const boot = (token: string) =>
    start({
      PORT: '0',
      LOG_LEVEL: 'silent',
      MCP_ADMIN_TOKEN: token,
      MCP_DB_PATH: path.join(dir, 'rbac.sqlite'),
      RAG_URL: 'http://127.0.0.1:9',
      GATEWAY_URL: 'http://127.0.0.1:9',
    });

  it('rotating MCP_ADMIN_TOKEN replaces the admin token at the next start; roles and grants stay', async () => {
    const oldToken = 'old-admin-token-0123456789abcdef';
    const newToken = 'new-admin-token-fedcba9876543210';
    const first = await boot(oldToken);
    const created = await api(first.url, 'POST', '/admin/tokens', oldToken, {
      name: 'bot',
      roles: ['reader'],
    });
    expect(created.status).toBe(201);
    const roles1 = (await api(first.url, 'GET', '/admin/roles', oldToken)).json.data;
    expect(roles1.map((r: { name: string }) => r.name)).toEqual(['admin', 'agent', 'approver', 'reader']);
    await first.close();

    const second = await boot(newToken);
    try {
      expect((await api(second.url, 'GET', '/whoami', oldToken)).status).toBe(401);
      const me = await api(second.url, 'GET', '/whoami', newToken);
      expect(me.json).toMatchObject({ name: 'admin', roles: ['admin'] });
      expect(me.json.permissions).toEqual(['approvals:review', 'rbac:admin', 'tool:*']);
      expect((await api(second.url, 'GET', '/whoami', created.json.token)).json.roles).toEqual(['reader']);
      // one admin token row, not two; default roles were not re-created or duplicated
      const tokens = (await api(second.url, 'GET', '/admin/tokens', newToken)).json.data;
      expect(tokens.filter((t: { bootstrap: boolean }) => t.bootstrap)).toHaveLength(1);
      expect((await api(second.url, 'GET', '/admin/roles', newToken)).json.data).toEqual(roles1);
    } finally {
      await second.close();
    }
  });

  it('default roles deleted by an operator are not re-created at the next start', async () => {
    const token = 'new-admin-token-fedcba9876543210';
    const first = await boot(token);
    expect((await api(first.url, 'DELETE', '/admin/roles/approver', token)).status).toBe(204);
    await first.close();
    const second = await boot(token);
    try {
      const names = (await api(second.url, 'GET', '/admin/roles', token)).json.data.map(
        (r: { name: string }) => r.name,
      );
      expect(names).toEqual(['admin', 'agent', 'reader']);
    } finally {
      await second.close();
    }
  });
});

describe('mcp-server database location', () => {
  it('a database that cannot be opened fails the start naming the path, the cause and the uid', async () => {
    // A directory where the file should be: fails for root too (directory modes would not).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aisuite-mcp-bad-'));
    try {
      const err = await start({
        PORT: '0',
        LOG_LEVEL: 'silent',
        MCP_ADMIN_TOKEN: 'bad-admin-token-0123456789abcdef',
        MCP_DB_PATH: dir,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toBe(
        `cannot open the database ${dir} (unable to open database file); its directory must be writable by uid ${process.getuid?.()}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
