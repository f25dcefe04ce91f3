/**
 * The mcp-server as a real child process (`main.ts mcp-server`) on a SQLite file: a restart keeps
 * roles, tokens, approvals and audit rows; the file is in WAL mode; many concurrent clients, plus
 * another process writing to the same file, never surface SQLITE_BUSY.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  runServiceMain,
  startServiceProcess,
  stopAllServiceProcesses,
} from '../../support/service-process.js';
import {
  ADMIN_TOKEN,
  GATEWAY_KEY,
  api,
  connect,
  gatewayHandler,
  json,
  ragHandler,
  startStandIn,
  text,
  type StandIn,
} from './helpers.js';

describe('mcp-server database (child process)', () => {
  let dir: string;
  let rag: StandIn;
  let gateway: StandIn;

  const env = (dbPath: string): Record<string, string> => ({
    MCP_ADMIN_TOKEN: ADMIN_TOKEN,
    MCP_DB_PATH: dbPath,
    RAG_URL: rag.url,
    GATEWAY_URL: gateway.url,
    GATEWAY_API_KEY: GATEWAY_KEY,
    MCP_RATE_LIMIT: '1000/m',
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aisuite-mcp-db-'));
    rag = await startStandIn(ragHandler);
    gateway = await startStandIn(gatewayHandler);
  });
  afterEach(async () => stopAllServiceProcesses());
  afterAll(async () => {
    await Promise.all([rag?.close(), gateway?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('`main.js mcp-server` without MCP_ADMIN_TOKEN exits 2 naming the variable', async () => {
    const r = await runServiceMain(['mcp-server'], { MCP_DB_PATH: path.join(dir, 'never', 'x.sqlite') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MCP_ADMIN_TOKEN=(unset): is required');
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('survives a restart with its roles, tokens, approvals and audit rows (WAL mode)', async () => {
    const dbPath = path.join(dir, 'restart', 'rbac.sqlite');
    // Given a server with a custom role, a token, a pending approval and some audited calls
    const first = await startServiceProcess('mcp-server', { env: env(dbPath) });
    const health = await json(await fetch(`${first.url}/health`));
    expect(health.checks.database).toMatchObject({
      state: 'up',
      detail: { journal_mode: 'wal', foreign_keys: true, busy_timeout_ms: 5000 },
    });
    expect(existsSync(`${dbPath}-wal`)).toBe(true);
    const role = await api(first.url, 'POST', '/admin/roles', ADMIN_TOKEN, {
      name: 'ops',
      permissions: ['tool:suite_health', 'tool:rag_delete_collection'],
    });
    expect(role.status).toBe(201);
    const tok = await api(first.url, 'POST', '/admin/tokens', ADMIN_TOKEN, { name: 'ops-1', roles: ['ops'] });
    const opsToken = tok.json.token as string;
    const c1 = await connect(first.url, opsToken);
    expect((await c1.callTool({ name: 'suite_health', arguments: {} })).isError).toBeFalsy();
    const pending = await c1.callTool({ name: 'rag_delete_collection', arguments: { collection: 'tmp' } });
    const approvalId = (pending.structuredContent as { approval_id: string }).approval_id;
    await c1.close();
    const auditBefore = (await api(first.url, 'GET', '/admin/audit?limit=1000', ADMIN_TOKEN)).json.data;
    expect(auditBefore.length).toBeGreaterThanOrEqual(2);

    // When it stops (SIGTERM) and starts again on the same file
    expect(await first.stop()).toBe(0);
    const raw = new Database(dbPath, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }
    const second = await startServiceProcess('mcp-server', { env: env(dbPath) });

    // Then the role, the token, the approval and the audit rows are all still there
    expect((await api(second.url, 'GET', '/admin/roles', ADMIN_TOKEN)).json.data).toContainEqual(
      expect.objectContaining({
        name: 'ops',
        permissions: ['tool:rag_delete_collection', 'tool:suite_health'],
      }),
    );
    expect((await api(second.url, 'GET', '/whoami', opsToken)).json).toMatchObject({
      name: 'ops-1',
      roles: ['ops'],
    });
    const approvals = await api(second.url, 'GET', '/approvals', ADMIN_TOKEN);
    expect(approvals.json.data).toContainEqual(
      expect.objectContaining({ id: approvalId, status: 'pending' }),
    );
    const auditAfter = (await api(second.url, 'GET', '/admin/audit?limit=1000', ADMIN_TOKEN)).json.data;
    expect(auditAfter).toEqual(expect.arrayContaining(auditBefore));
    // and the restarted server serves the same token
    const c2 = await connect(second.url, opsToken);
    expect((await c2.callTool({ name: 'suite_health', arguments: {} })).isError).toBeFalsy();
    await c2.close();
    expect(await second.stop()).toBe(0);
    // Neither the bootstrap secret nor an issued token ever reaches the logs.
    for (const p of [first, second]) {
      expect(p.lines().join('\n')).not.toContain(ADMIN_TOKEN);
      expect(p.lines().join('\n')).not.toContain(opsToken);
    }
  });

  it('a database locked by another process past MCP_DB_BUSY_TIMEOUT answers 503 with Retry-After, then recovers', async () => {
    const dbPath = path.join(dir, 'busy', 'rbac.sqlite');
    const proc = await startServiceProcess('mcp-server', {
      env: { ...env(dbPath), MCP_DB_BUSY_TIMEOUT: '100ms' },
    });
    const call = (): Promise<Response> =>
      fetch(`${proc.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'suite_health', arguments: {} },
        }),
      });
    const other = new Database(dbPath);
    try {
      other.exec('BEGIN IMMEDIATE'); // holds the write lock across the awaits below
      const res = await call();
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await json(res)).error).toMatchObject({ code: 'database_busy', type: 'unavailable_error' });
      other.exec('ROLLBACK');
      expect((await call()).status).toBe(200);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
    expect(await proc.stop()).toBe(0);
  });

  it('many concurrent clients and a second writer process: no SQLITE_BUSY, nothing lost, file intact', async () => {
    const dbPath = path.join(dir, 'concurrency', 'rbac.sqlite');
    const proc = await startServiceProcess('mcp-server', { env: env(dbPath) });
    const CLIENTS = 30;
    const CALLS = 5;
    const tokens = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const r = await api(proc.url, 'POST', '/admin/tokens', ADMIN_TOKEN, {
          name: `load-${i}`,
          roles: ['reader'],
        });
        expect(r.status).toBe(201);
        return r.json.token as string;
      }),
    );
    // Another connection (this test process) keeps taking the write lock for 10 ms at a time, as a
    // backup tool or an admin script would; the server must wait for it (busy_timeout), not fail.
    const other = new Database(dbPath);
    other.pragma('busy_timeout = 5000');
    let stop = false;
    let held = 0;
    const hold = (): void => {
      if (stop) return;
      other
        .transaction(() => {
          other
            .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('load-test', ?)")
            .run(String(held++));
          const until = performance.now() + 10;
          while (performance.now() < until); // keep the write lock
        })
        .immediate();
      setTimeout(hold, 20);
    };
    hold();
    try {
      const results = await Promise.all(
        tokens.map(async (token, i) => {
          const client = await connect(proc.url, token);
          try {
            const out = [];
            for (let k = 0; k < CALLS; k++) {
              const tool = (i + k) % 2 === 0 ? 'suite_health' : 'rag_query';
              const args = tool === 'rag_query' ? { collection: 'docs', query: `q${i}-${k}` } : {};
              out.push(await client.callTool({ name: tool, arguments: args }));
            }
            return out;
          } finally {
            await client.close();
          }
        }),
      );
      const flat = results.flat();
      expect(flat).toHaveLength(CLIENTS * CALLS);
      expect(flat.filter((r) => r.isError).map((r) => text(r))).toEqual([]);
    } finally {
      stop = true;
      other.close();
    }
    expect(held).toBeGreaterThan(3);
    expect(proc.lines().filter((l) => /SQLITE_BUSY|database is locked/i.test(l))).toEqual([]);
    const audit = (await api(proc.url, 'GET', '/admin/audit?limit=10000', ADMIN_TOKEN)).json.data as Array<{
      token_name: string;
      result: string;
    }>;
    const loadRows = audit.filter((r) => r.token_name.startsWith('load-'));
    expect(loadRows).toHaveLength(CLIENTS * CALLS);
    expect(loadRows.every((r) => r.result === 'allowed')).toBe(true);
    expect(await proc.stop()).toBe(0);
    const check = new Database(dbPath, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(check.pragma('foreign_key_check')).toEqual([]);
    } finally {
      check.close();
    }
  });
});
