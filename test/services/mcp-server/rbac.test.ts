import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ADMIN_TOKEN,
  api,
  json,
  connect,
  createToken,
  metric,
  startHarness,
  type McpHarness,
} from './helpers.js';

const callBody = (tool: string): string =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: {} } });

/** A raw JSON-RPC POST to /mcp (what a client sends), to see status codes and headers. */
async function rawCall(url: string, token: string | undefined, tool: string): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: callBody(tool),
  });
}

/** The same POST with a chosen Host header (fetch cannot set Host; node:http can, like a browser under DNS rebinding). */
async function callWithHost(
  url: string,
  token: string,
  host: string,
): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: '/mcp',
        method: 'POST',
        headers: {
          host,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(callBody('suite_health'));
  });
}

describe('mcp-server RBAC', () => {
  let h: McpHarness;
  let reader: { id: number; token: string };

  beforeAll(async () => {
    h = await startHarness();
    reader = await createToken(h.url, 'reader-1', ['reader']);
  });
  afterAll(async () => h?.close());

  it('answers 401 with WWW-Authenticate when the token is missing', async () => {
    const res = await rawCall(h.url, undefined, 'suite_health');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="aisuite-mcp"');
    expect(await json(res)).toEqual({
      error: { message: 'Missing bearer token', type: 'authentication_error', code: 'missing_token' },
    });
    // The SDK client sees the same 401.
    const err = await connect(h.url, undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamableHTTPError);
    expect((err as StreamableHTTPError).code).toBe(401);
  });

  it('answers 401 invalid_token for a forged token and for a malformed header', async () => {
    const forged = await rawCall(h.url, 'mcp_' + 'A'.repeat(43), 'suite_health');
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await json(forged)).error.code).toBe('invalid_token');
    const malformed = await fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('a:b').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect(await metric(h.url, 'mcp_auth_failures_total{reason="invalid"}')).toBeGreaterThanOrEqual(1);
  });

  it('lists only the tools a token may call and runs an allowed one', async () => {
    const client = await connect(h.url, reader.token);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['rag_list_collections', 'rag_query', 'suite_health']);
      const r = await client.callTool({ name: 'suite_health', arguments: {} });
      expect(r.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('answers 403 insufficient_scope for a tool the token may not call, and runs nothing', async () => {
    const before = h.rag.calls.length;
    const res = await rawCall(h.url, reader.token, 'rag_index');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="aisuite-mcp", error="insufficient_scope", scope="tool:rag_index"',
    );
    expect(await json(res)).toEqual({
      error: {
        message: 'This token lacks the permission "tool:rag_index" needed to call the tool rag_index',
        type: 'permission_error',
        code: 'insufficient_permission',
      },
    });
    const client = await connect(h.url, reader.token);
    try {
      const err = await client
        .callTool({ name: 'rag_index', arguments: { collection: 'c', documents: [{ id: '1', text: 't' }] } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamableHTTPError);
      expect((err as StreamableHTTPError).code).toBe(403);
    } finally {
      await client.close();
    }
    expect(h.rag.calls.length).toBe(before);
    expect(await metric(h.url, 'rbac_permission_checks_total{result="denied",tool="rag_index"}')).toBe(2);
    expect(await metric(h.url, 'rbac_permission_checks_total{result="allowed",tool="suite_health"}')).toBe(1);
  });

  it('writes every permission check to the audit table (token, tool, result)', async () => {
    const r = await api(h.url, 'GET', `/admin/audit?token_id=${reader.id}`, ADMIN_TOKEN);
    expect(r.status).toBe(200);
    const rows = r.json.data as Array<{ token_name: string; tool: string; result: string; at: string }>;
    expect(rows.map((x) => `${x.tool}:${x.result}`)).toEqual([
      'rag_index:denied',
      'rag_index:denied',
      'suite_health:allowed',
    ]);
    expect(rows.every((x) => x.token_name === 'reader-1' && !Number.isNaN(Date.parse(x.at)))).toBe(true);
  });

  it('a granted role takes effect on the next request, a revoked token is refused at once', async () => {
    const t = await createToken(h.url, 'grantee', []);
    expect((await rawCall(h.url, t.token, 'suite_health')).status).toBe(403); // deny by default
    const g = await api(h.url, 'POST', `/admin/tokens/${t.id}/roles`, ADMIN_TOKEN, { role: 'reader' });
    expect(g.status).toBe(200);
    expect(g.json.roles).toEqual(['reader']);
    expect((await rawCall(h.url, t.token, 'suite_health')).status).toBe(200);
    const ungrant = await api(h.url, 'DELETE', `/admin/tokens/${t.id}/roles/reader`, ADMIN_TOKEN);
    expect(ungrant.json.roles).toEqual([]);
    expect((await rawCall(h.url, t.token, 'suite_health')).status).toBe(403);
    const revoked = await api(h.url, 'DELETE', `/admin/tokens/${t.id}`, ADMIN_TOKEN);
    expect(revoked.json.revoked_at).not.toBeNull();
    expect((await rawCall(h.url, t.token, 'suite_health')).status).toBe(401);
  });

  it('custom roles: created with known permissions only, granted, then effective', async () => {
    const bad = await api(h.url, 'POST', '/admin/roles', ADMIN_TOKEN, {
      name: 'x',
      permissions: ['tool:rm_rf'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'unknown_permission', type: 'invalid_request_error' });
    const role = await api(h.url, 'POST', '/admin/roles', ADMIN_TOKEN, {
      name: 'chatter',
      permissions: ['tool:chat'],
      description: 'chat only',
    });
    expect(role.status).toBe(201);
    expect(role.json).toMatchObject({ name: 'chatter', permissions: ['tool:chat'] });
    expect(
      (await api(h.url, 'POST', '/admin/roles', ADMIN_TOKEN, { name: 'chatter', permissions: [] })).status,
    ).toBe(409);
    const t = await createToken(h.url, 'chat-bot', ['chatter']);
    const client = await connect(h.url, t.token);
    try {
      expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['chat']);
    } finally {
      await client.close();
    }
    const admin = await api(h.url, 'PUT', '/admin/roles/admin', ADMIN_TOKEN, { permissions: [] });
    expect(admin.status).toBe(400);
    const dup = await api(h.url, 'POST', '/admin/tokens', ADMIN_TOKEN, { name: 'chat-bot' });
    expect(dup.status).toBe(409);
  });

  it('the admin API needs its permission: 401 without a token, 403 without rbac:admin', async () => {
    const none = await api(h.url, 'POST', '/admin/tokens', undefined, { name: 'x' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="aisuite-mcp"');
    const weak = await api(h.url, 'POST', '/admin/tokens', reader.token, { name: 'x' });
    expect(weak.status).toBe(403);
    expect(weak.json.error.code).toBe('insufficient_permission');
    expect(weak.headers.get('www-authenticate')).toContain('scope="rbac:admin"');
    expect((await api(h.url, 'GET', '/approvals', reader.token)).status).toBe(403);
    expect(await metric(h.url, 'rbac_permission_checks_total{result="denied",tool="rbac:admin"}')).toBe(1);
  });

  it('tokens are shown once and stored only as sha256; listing shows no secret', async () => {
    const t = await createToken(h.url, 'secretive', []);
    expect(t.token).toMatch(/^mcp_[A-Za-z0-9_-]{43}$/);
    const list = await api(h.url, 'GET', '/admin/tokens', ADMIN_TOKEN);
    expect(JSON.stringify(list.json)).not.toContain(t.token);
    expect(list.json.data.find((x: { name: string }) => x.name === 'admin')).toMatchObject({
      bootstrap: true,
      roles: ['admin'],
    });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(h.dbPath, { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM tokens WHERE name = ?').get('secretive') as Record<
        string,
        unknown
      >;
      expect(JSON.stringify(row)).not.toContain(t.token);
      const { createHash } = await import('node:crypto');
      expect(row.token_sha256).toBe(createHash('sha256').update(t.token).digest('hex'));
    } finally {
      db.close();
    }
  });

  it('GET /whoami names the token, its roles and permissions', async () => {
    const r = await api(h.url, 'GET', '/whoami', reader.token);
    expect(r.json).toEqual({
      token_id: reader.id,
      name: 'reader-1',
      roles: ['reader'],
      permissions: ['tool:rag_list_collections', 'tool:rag_query', 'tool:suite_health'],
    });
  });

  it('DNS-rebinding protection: a foreign Host header is refused before anything else', async () => {
    const before = await metric(h.url, 'rbac_permission_checks_total{result="allowed",tool="suite_health"}');
    const res = await callWithHost(h.url, ADMIN_TOKEN, 'evil.example');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('invalid_host');
    expect(await metric(h.url, 'rbac_permission_checks_total{result="allowed",tool="suite_health"}')).toBe(
      before,
    );
    const port = new URL(h.url).port;
    expect((await callWithHost(h.url, ADMIN_TOKEN, `127.0.0.1:${Number(port) + 1}`)).status).toBe(403);
    expect((await callWithHost(h.url, ADMIN_TOKEN, `localhost:${port}`)).status).toBe(200);
  });

  it('GET /mcp is 405 (stateless server, no SSE stream)', async () => {
    const res = await fetch(`${h.url}/mcp`, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
