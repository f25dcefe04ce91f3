import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ADMIN_TOKEN,
  GATEWAY_KEY,
  connect,
  createToken,
  metric,
  startHarness,
  text,
  type McpHarness,
} from './helpers.js';

describe('mcp-server tools over Streamable HTTP (SDK client)', () => {
  let h: McpHarness;
  let agent: Client;

  beforeAll(async () => {
    h = await startHarness();
    const { token } = await createToken(h.url, 'agent-1', ['agent']);
    agent = await connect(h.url, token);
  });
  afterAll(async () => {
    await agent?.close();
    await h?.close();
  });

  it('lists every tool with its schema and a destructive hint on rag_delete_collection', async () => {
    const { tools } = await agent.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'chat',
        'rag_delete_collection',
        'rag_index',
        'rag_list_collections',
        'rag_query',
        'suite_health',
      ].sort(),
    );
    const del = tools.find((t) => t.name === 'rag_delete_collection');
    expect(del?.annotations?.destructiveHint).toBe(true);
    expect(del?.inputSchema.properties).toHaveProperty('approval_id');
    const query = tools.find((t) => t.name === 'rag_query');
    expect(query?.annotations?.readOnlyHint).toBe(true);
    expect(query?.inputSchema.required).toEqual(['collection', 'query']);
  });

  it('rag_query forwards to rag POST /query and returns its chunks and answer', async () => {
    const before = h.rag.calls.length;
    const r = await agent.callTool({
      name: 'rag_query',
      arguments: { collection: 'docs', query: 'capital?', top_k: 3 },
    });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ answer: 'Paris.', chunks: [{ document_id: 'd1' }] });
    expect(text(r)).toContain('Paris is the capital of France.');
    const call = h.rag.calls.slice(before).find((c) => c.path === '/query');
    expect(call).toMatchObject({ method: 'POST', body: { collection: 'docs', query: 'capital?', top_k: 3 } });
  });

  it('rag_index forwards the documents to rag POST /index', async () => {
    const docs = [
      { id: 'a', text: 'alpha', metadata: { source: 'test' } },
      { id: 'b', text: 'beta' },
    ];
    const r = await agent.callTool({ name: 'rag_index', arguments: { collection: 'docs', documents: docs } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ documents: 2, chunks: 3 });
    expect(h.rag.calls.at(-1)).toMatchObject({
      method: 'POST',
      path: '/index',
      body: { collection: 'docs', documents: docs },
    });
  });

  it('rag_list_collections forwards to rag GET /collections', async () => {
    const r = await agent.callTool({ name: 'rag_list_collections', arguments: {} });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({ collections: [{ name: 'docs', documents: 2, chunks: 7 }] });
    expect(h.rag.calls.at(-1)).toMatchObject({ method: 'GET', path: '/collections' });
  });

  it('chat sends one completion to the gateway with GATEWAY_API_KEY and returns the reply', async () => {
    const r = await agent.callTool({
      name: 'chat',
      arguments: { prompt: 'hello there', system: 'be brief', max_tokens: 16 },
    });
    expect(r.isError).toBeFalsy();
    expect(text(r)).toBe('echo: hello there');
    expect(r.structuredContent).toMatchObject({ model: 'chat', finish_reason: 'stop' });
    const call = h.gateway.calls.at(-1);
    expect(call?.headers.authorization).toBe(`Bearer ${GATEWAY_KEY}`);
    expect(call?.body).toEqual({
      model: 'chat',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello there' },
      ],
      stream: false,
      max_tokens: 16,
    });
  });

  it('suite_health reports every target and says which is down (a result, not an error)', async () => {
    const ok = await agent.callTool({ name: 'suite_health', arguments: {} });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toMatchObject({
      status: 'ok',
      services: [
        { name: 'rag', state: 'up', http_status: 200 },
        { name: 'api-gateway', state: 'up', http_status: 200 },
      ],
    });
    const saved = h.gateway.handler;
    h.gateway.handler = () => ({ status: 503, body: { status: 'loading' } });
    try {
      const bad = await agent.callTool({ name: 'suite_health', arguments: {} });
      expect(bad.isError).toBeFalsy();
      expect(bad.structuredContent).toMatchObject({ status: 'degraded' });
      expect(text(bad)).toContain('Down: api-gateway');
    } finally {
      h.gateway.handler = saved;
    }
  });

  it('rag_delete_collection does not run on the first call: it returns a pending approval', async () => {
    const before = h.rag.calls.filter((c) => c.method === 'DELETE').length;
    const r = await agent.callTool({ name: 'rag_delete_collection', arguments: { collection: 'docs' } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      status: 'pending_approval',
      approval_id: expect.stringMatching(/^apr_/),
    });
    expect(text(r)).toMatch(/^PENDING APPROVAL: rag_delete_collection was NOT run/);
    expect(h.rag.calls.filter((c) => c.method === 'DELETE').length).toBe(before);
  });

  it('a failing upstream comes back as isError with what happened and when to retry', async () => {
    const saved = h.rag.handler;
    h.rag.handler = () => ({
      status: 503,
      headers: { 'retry-after': '7' },
      body: {
        error: { message: 'embedding service is down', type: 'unavailable_error', code: 'embedding_down' },
      },
    });
    try {
      const r = await agent.callTool({ name: 'rag_query', arguments: { collection: 'docs', query: 'x' } });
      expect(r.isError).toBe(true);
      expect(text(r)).toBe('rag answered 503: embedding service is down; retry after 7 s');
      expect(r.structuredContent).toMatchObject({
        status: 503,
        retry_after_seconds: 7,
        code: 'embedding_down',
      });
    } finally {
      h.rag.handler = saved;
    }
    expect(await metric(h.url, 'mcp_tool_calls_total{tool="rag_query",status="error"}')).toBe(1);
  });

  it('rag being down (connection refused) is a tool error, not a protocol error', async () => {
    const client = await connect(h.url, ADMIN_TOKEN);
    const { url: deadUrl } = h.rag;
    await h.rag.close();
    try {
      const r = await client.callTool({ name: 'rag_list_collections', arguments: {} });
      expect(r.isError).toBe(true);
      expect(text(r)).toBe(`rag is unreachable (ECONNREFUSED) at ${deadUrl}`);
      const health = await client.callTool({ name: 'suite_health', arguments: {} });
      expect(health.structuredContent).toMatchObject({
        status: 'degraded',
        services: [{ name: 'rag', state: 'down', error: 'ECONNREFUSED' }, { state: 'up' }],
      });
    } finally {
      await client.close();
      h.rag.close = async () => undefined; // already closed
    }
  });

  it('counts calls and durations per tool', async () => {
    expect(await metric(h.url, 'mcp_tool_calls_total{tool="chat",status="ok"}')).toBe(1);
    expect(await metric(h.url, 'mcp_tool_duration_seconds_count{tool="chat"}')).toBe(1);
    expect(
      await metric(h.url, 'mcp_tool_calls_total{tool="rag_delete_collection",status="pending_approval"}'),
    ).toBe(1);
  });

  it('a pending approval says where to approve it: the CLI command, and this server as the agent reached it', async () => {
    // Given an agent that reaches the server under another allowed name than the one it listens on
    // (in a container: mcp-server listens on :8080, the host reaches it on its published port)
    const { token } = await createToken(h.url, 'agent-localhost', ['agent']);
    const viaName = h.url.replace('127.0.0.1', 'localhost');
    const other = await connect(viaName, token);
    try {
      const r = await other.callTool({ name: 'rag_delete_collection', arguments: { collection: 'docs' } });
      const id = (r.structuredContent as { approval_id: string }).approval_id;
      expect(text(r)).toContain(
        `(\`aisuite approvals approve ${id}\`, or POST ${viaName}/approvals/${id}/approve)`,
      );
    } finally {
      await other.close();
    }
  });
});
