import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ADMIN_TOKEN, api, json, connect, startHarness, text, type McpHarness } from './helpers.js';
import { start } from '../../../src/services/mcp-server/index.js';
import { EnvError } from '../../../src/services/kit/index.js';

describe('mcp-server bad input', () => {
  let h: McpHarness;
  let admin: Client;
  const upstreamCalls = (): number => h.rag.calls.length + h.gateway.calls.length;

  beforeAll(async () => {
    h = await startHarness();
    admin = await connect(h.url, ADMIN_TOKEN);
  });
  afterAll(async () => {
    await admin?.close();
    await h?.close();
  });

  it('an unknown tool is a clear tool error and nothing runs', async () => {
    const before = upstreamCalls();
    const r = await admin.callTool({ name: 'drop_database', arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toBe('MCP error -32602: Tool drop_database not found');
    expect(upstreamCalls()).toBe(before);
  });

  it.each([
    ['rag_query', { collection: 'docs', query: 'x', top_k: 'five' }, 'top_k'],
    ['rag_query', { collection: 42, query: 'x' }, 'collection'],
    ['rag_query', { collection: 'docs' }, 'query'],
    ['rag_query', { collection: 'docs', query: 'x', top_k: 500 }, 'top_k'],
    ['rag_index', { collection: 'docs', documents: 'not a list' }, 'documents'],
    ['rag_index', { collection: 'docs', documents: [{ id: 'a', text: 7 }] }, 'documents'],
    ['chat', { prompt: ['hi'] }, 'prompt'],
    ['chat', { prompt: 'hi', temperature: 9 }, 'temperature'],
    ['rag_delete_collection', { collection: 'docs', approval_id: 123 }, 'approval_id'],
  ])(
    '%s with wrong argument types (%j) is refused naming the field; nothing runs',
    async (tool, args, field) => {
      const before = upstreamCalls();
      const pendingBefore = (await api(h.url, 'GET', '/approvals?status=all', ADMIN_TOKEN)).json.data.length;
      const r = await admin.callTool({ name: tool, arguments: args });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(
        new RegExp(
          `^MCP error -32602: Input validation error: Invalid arguments for tool ${tool}: .*${field}`,
          's',
        ),
      );
      expect(upstreamCalls()).toBe(before);
      expect((await api(h.url, 'GET', '/approvals?status=all', ADMIN_TOKEN)).json.data.length).toBe(
        pendingBefore,
      );
    },
  );

  it('malformed JSON-RPC and malformed JSON are answered clearly', async () => {
    const headers = {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const notJson = await fetch(`${h.url}/mcp`, { method: 'POST', headers, body: '{"jsonrpc":' });
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error.code).toBe('invalid_json');
    const notRpc = await fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ hello: 1 }),
    });
    expect(notRpc.status).toBe(400);
    expect((await json(notRpc)).error.code).toBe(-32700);
  });

  it('admin API: wrong types and unknown fields are 400 in the OpenAI envelope naming the field', async () => {
    const r1 = await api(h.url, 'POST', '/admin/tokens', ADMIN_TOKEN, { name: 5 });
    expect(r1.status).toBe(400);
    expect(r1.json.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_request',
      param: 'name',
    });
    const r2 = await api(h.url, 'POST', '/admin/tokens', ADMIN_TOKEN, { name: 'ok', role: 'admin' });
    expect(r2.status).toBe(400);
    expect(r2.json.error.message).toContain('Unrecognized key');
    const r3 = await api(h.url, 'POST', '/admin/tokens', ADMIN_TOKEN, { name: 'Bad Name!' });
    expect(r3.json.error.code).toBe('invalid_name');
    const r4 = await api(h.url, 'POST', '/admin/tokens', ADMIN_TOKEN, {
      name: 'x1',
      roles: ['no-such-role'],
    });
    expect(r4.status).toBe(404);
    expect(r4.json.error.code).toBe('role_not_found');
    expect(
      (await api(h.url, 'GET', '/admin/tokens', ADMIN_TOKEN)).json.data.map((t: { name: string }) => t.name),
    ).not.toContain('x1');
    const r5 = await api(h.url, 'DELETE', '/admin/tokens/abc', ADMIN_TOKEN);
    expect(r5.status).toBe(400);
    const r6 = await api(h.url, 'DELETE', '/admin/tokens/1', ADMIN_TOKEN);
    expect(r6.json.error.code).toBe('bootstrap_token');
    const r7 = await api(h.url, 'GET', '/approvals?status=maybe', ADMIN_TOKEN);
    expect(r7.status).toBe(400);
    expect(r7.json.error.param).toBe('status');
  });

  it('refuses to start without a usable MCP_ADMIN_TOKEN, and never prints it', async () => {
    const err = await start({
      PORT: '0',
      MCP_ADMIN_TOKEN: 'short',
      MCP_DB_PATH: `${h.dir}/never.sqlite`,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvError);
    expect((err as EnvError).message).toContain('MCP_ADMIN_TOKEN=(redacted)');
    expect((err as EnvError).message).not.toContain('short');
    const missing = await start({ PORT: '0', MCP_RATE_LIMIT: 'lots' }).catch((e: unknown) => e);
    expect((missing as EnvError).issues).toEqual([
      'MCP_ADMIN_TOKEN=(unset): is required; allowed: a string matching /^\\S{16,}$/',
      'MCP_RATE_LIMIT="lots": not a rate like 60/m; allowed: a rate like 60/m, 10/s, 5/30s',
    ]);
  });
});
