import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { createProbe, systemClock } from '../../../src/lib/probes/index.js';
import { startServer } from './support.js';

// A real MCP server (the official SDK, Streamable HTTP, stateless) behind a bearer token.
let server: Awaited<ReturnType<typeof startServer>>;
const ctx = () => ({ signal: AbortSignal.timeout(10_000), clock: systemClock });

function mcpServer(): McpServer {
  const mcp = new McpServer({ name: 'probe-test', version: '1.0.0' });
  mcp.registerTool('suite_health', { description: 'health' }, async () => ({
    content: [{ type: 'text', text: 'ok' }],
  }));
  mcp.registerTool(
    'chat',
    { description: 'chat', inputSchema: { prompt: z.string() } },
    async ({ prompt }) => ({
      content: [{ type: 'text', text: prompt === 'fail' ? 'backend down' : 'hi' }],
      isError: prompt === 'fail',
    }),
  );
  return mcp;
}

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    if (req.headers.authorization !== 'Bearer good-token') {
      res.statusCode = 401;
      res.setHeader('www-authenticate', 'Bearer');
      return res.end('{"error":"unauthorized"}');
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const mcp = mcpServer();
    res.on('close', () => void transport.close().then(() => mcp.close()));
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
});
afterAll(() => server.close());

describe('mcp probe with the SDK client against a real SDK server', () => {
  it('lists the tools and calls one', async () => {
    const outcome = await createProbe({
      kind: 'mcp',
      url: `${server.url}/mcp`,
      token: 'good-token',
      expectTools: ['suite_health', 'chat'],
      call: { name: 'chat', arguments: { prompt: 'hello' } },
    }).run(ctx());
    expect(outcome).toMatchObject({
      ok: true,
      message: '2 tools listed; chat answered',
      observed: { tools: ['suite_health', 'chat'] },
    });
  });

  it('names missing tools and tool errors', async () => {
    const missing = await createProbe({
      kind: 'mcp',
      url: `${server.url}/mcp`,
      token: 'good-token',
      expectTools: ['rag_query'],
    }).run(ctx());
    expect(missing).toMatchObject({
      ok: false,
      message: 'tools missing: rag_query (listed: suite_health, chat)',
    });
    const error = await createProbe({
      kind: 'mcp',
      url: `${server.url}/mcp`,
      token: 'good-token',
      call: { name: 'chat', arguments: { prompt: 'fail' } },
    }).run(ctx());
    expect(error).toMatchObject({ ok: false, message: 'tool chat returned an error: backend down' });
  });

  it('fails without a valid token', async () => {
    const outcome = await createProbe({ kind: 'mcp', url: `${server.url}/mcp`, token: 'forged' }).run(ctx());
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/401|nauthorized/);
  });
});
