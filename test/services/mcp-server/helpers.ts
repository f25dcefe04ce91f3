/**
 * Test support for the mcp-server: the real server started in-process (`start(env)` on port 0 with
 * a temp SQLite file and an injectable clock), small real HTTP servers standing in for rag and the
 * api-gateway that record every call, and the MCP SDK's own client over Streamable HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { start } from '../../../src/services/mcp-server/index.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const GATEWAY_KEY = 'test-gateway-key-0123456789';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Handler = (req: Recorded) => {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/** A real HTTP server on 127.0.0.1:0 that records requests and answers through `handler`. */
export interface StandIn {
  url: string;
  calls: Recorded[];
  handler: Handler;
  close(): Promise<void>;
}

export async function startStandIn(handler: Handler): Promise<StandIn> {
  const calls: Recorded[] = [];
  const standIn = { calls, handler } as StandIn;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      calls.push(rec);
      const out = standIn.handler(rec);
      res.writeHead(out.status ?? 200, { 'content-type': 'application/json', ...out.headers });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  standIn.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  standIn.close = () => new Promise<void>((r) => server.close(() => r()));
  server.closeIdleConnections();
  return standIn;
}

/** Stand-in for the rag service (its documented routes). */
export const ragHandler: Handler = (req) => {
  if (req.method === 'GET' && req.path === '/health') return { body: { status: 'ok' } };
  if (req.method === 'POST' && req.path === '/query')
    return {
      body: {
        collection: (req.body as { collection: string }).collection,
        chunks: [{ document_id: 'd1', text: 'Paris is the capital of France.', score: 0.91 }],
        answer: 'Paris.',
      },
    };
  if (req.method === 'POST' && req.path === '/index')
    return {
      body: {
        collection: 'docs',
        documents: (req.body as { documents: unknown[] }).documents.length,
        chunks: 3,
      },
    };
  if (req.method === 'GET' && req.path === '/collections')
    return { body: { collections: [{ name: 'docs', documents: 2, chunks: 7 }] } };
  if (req.method === 'DELETE' && req.path.startsWith('/collections/'))
    return { body: { deleted: decodeURIComponent(req.path.slice('/collections/'.length)) } };
  return {
    status: 404,
    body: { error: { message: 'not found', type: 'not_found_error', code: 'not_found' } },
  };
};

/** Stand-in for the api-gateway: checks the key like the real one and answers a chat completion. */
export const gatewayHandler: Handler = (req) => {
  if (req.method === 'GET' && req.path === '/health') return { body: { status: 'ok' } };
  if (req.headers.authorization !== `Bearer ${GATEWAY_KEY}`)
    return {
      status: 401,
      body: { error: { message: 'bad key', type: 'authentication_error', code: 'invalid_api_key' } },
    };
  if (req.method === 'POST' && req.path === '/v1/chat/completions') {
    const msgs = (req.body as { messages: Array<{ content: string }> }).messages;
    return {
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: (req.body as { model: string }).model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: `echo: ${msgs.at(-1)?.content}` },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      },
    };
  }
  return {
    status: 404,
    body: { error: { message: 'not found', type: 'not_found_error', code: 'not_found' } },
  };
};

export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface McpHarness {
  url: string;
  dir: string;
  dbPath: string;
  rag: StandIn;
  gateway: StandIn;
  clock: ManualClock;
  close(): Promise<void>;
}

/** Starts stand-ins for rag and the gateway, then the real mcp-server in-process. */
export async function startHarness(env: Record<string, string> = {}): Promise<McpHarness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aisuite-mcp-'));
  const dbPath = path.join(dir, 'rbac.sqlite');
  const rag = await startStandIn(ragHandler);
  const gateway = await startStandIn(gatewayHandler);
  const clock = manualClock();
  const svc = await start(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MCP_ADMIN_TOKEN: ADMIN_TOKEN,
      MCP_DB_PATH: dbPath,
      RAG_URL: rag.url,
      GATEWAY_URL: gateway.url,
      GATEWAY_API_KEY: GATEWAY_KEY,
      SUITE_HEALTH_TARGETS: `rag=${rag.url}/health,api-gateway=${gateway.url}/health`,
      ...env,
    },
    { now: clock.now },
  );
  return {
    url: svc.url,
    dir,
    dbPath,
    rag,
    gateway,
    clock,
    async close() {
      await svc.close();
      await Promise.all([rag.close(), gateway.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An SDK client connected to `<url>/mcp` with a bearer token (none when `token` is undefined). */
export async function connect(url: string, token: string | undefined): Promise<Client> {
  const client = new Client({ name: 'aisuite-test', version: '0.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

// Response bodies are asserted field by field in the tests; a loose type keeps them readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The parsed JSON body of a fetch response, loosely typed for assertions. */
export const json = async (res: Response): Promise<Json> => (await res.json()) as Json;

/** Calls the admin HTTP API; returns status, headers and parsed JSON. */
export async function api(
  url: string,
  method: string,
  route: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: Json }> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** Creates a token with `roles` through the admin API and returns it (shown once). */
export async function createToken(
  url: string,
  name: string,
  roles: string[],
): Promise<{ id: number; token: string }> {
  const r = await api(url, 'POST', '/admin/tokens', ADMIN_TOKEN, { name, roles });
  if (r.status !== 201) throw new Error(`create token: ${r.status} ${JSON.stringify(r.json)}`);
  return { id: r.json.id as number, token: r.json.token as string };
}

export function text(r: CallToolResult | Record<string, unknown>): string {
  const content = (r as CallToolResult).content ?? [];
  return content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The value of one Prometheus sample (`name{labels}`), 0 when absent. */
export async function metric(url: string, sample: string): Promise<number> {
  const body = await (await fetch(`${url}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
