/**
 * mcp-server overhead: one tool call (`rag_list_collections`) through /mcp (bearer auth, RBAC check,
 * audit row in SQLite, rate-limit bucket, a fresh stateless SDK server, zod validation, the upstream
 * call) against the same upstream request made directly, at 1 and 16 concurrent callers, and against
 * the same server's authenticated REST route (`GET /whoami`). The
 * mcp-server runs as a child process; the upstream (a stand-in for rag answering a fixed list) and
 * the load generator share this process.
 *
 * Alone: `npx tsx bench/mcp.ts` (BENCH_MCP_SECONDS=3 per scenario by default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { startServiceProcess } from '../test/support/service-process.js';
import { percentile, runIfMain, type BenchResult } from './types.js';

const SECONDS = Number(process.env.BENCH_MCP_SECONDS ?? 3);
const WARMUP_MS = 500;
const ADMIN = 'bench-admin-token-0123456789abcdef';

interface Load {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

/** Closed-loop load: `concurrency` workers each send the next request when the last one ends. */
async function load(
  origin: string,
  req: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string },
  concurrency: number,
): Promise<Load> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const lat: number[] = [];
  let errors = 0;
  const measureFrom = performance.now() + WARMUP_MS;
  const end = measureFrom + SECONDS * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await pool.request({ ...req });
      const text = await res.body.text();
      const ok = res.statusCode === 200 && !text.includes('"isError":true');
      if (t0 >= measureFrom) {
        if (ok) lat.push(performance.now() - t0);
        else errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), rps: lat.length / SECONDS, errors };
}

export async function run(): Promise<BenchResult[]> {
  const upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ collections: [{ name: 'docs', documents: 12, chunks: 140 }] }));
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const ragUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aisuite-bench-mcp-'));
  const mcp = await startServiceProcess('mcp-server', {
    env: {
      MCP_ADMIN_TOKEN: ADMIN,
      MCP_DB_PATH: path.join(dir, 'rbac.sqlite'),
      RAG_URL: ragUrl,
      GATEWAY_URL: ragUrl,
      MCP_RATE_LIMIT: '1000000/s',
      LOG_LEVEL: 'warn',
    },
  });
  try {
    const call = {
      method: 'POST' as const,
      path: '/mcp',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'rag_list_collections', arguments: {} },
      }),
    };
    const direct = { method: 'GET' as const, path: '/collections' };
    const whoami = { method: 'GET' as const, path: '/whoami', headers: { authorization: `Bearer ${ADMIN}` } };
    const results: BenchResult[] = [];
    for (const c of [1, 16]) {
      const base = await load(ragUrl, direct, c);
      const viaMcp = await load(mcp.url, call, c);
      if (viaMcp.errors > 0) throw new Error(`${viaMcp.errors} failed MCP calls at concurrency ${c}`);
      results.push(
        {
          name: `mcp tool call p50 latency, c=${c}`,
          value: viaMcp.p50,
          unit: 'ms',
          baseline: { name: 'direct upstream p50', value: base.p50 },
          ratio: viaMcp.p50 / base.p50,
        },
        {
          name: `mcp tool call p99 latency, c=${c}`,
          value: viaMcp.p99,
          unit: 'ms',
          baseline: { name: 'direct upstream p99', value: base.p99 },
          ratio: viaMcp.p99 / base.p99,
        },
        {
          name: `mcp tool calls per second, c=${c}`,
          value: viaMcp.rps,
          unit: 'calls/s',
          baseline: { name: 'direct upstream', value: base.rps },
          ratio: viaMcp.rps / base.rps,
        },
      );
    }
    // The same server's plain authenticated REST route: what MCP (SDK server, JSON-RPC, zod, the
    // upstream hop) adds on top of the kit's HTTP handling and the token lookup.
    const rest = await load(mcp.url, whoami, 1);
    const viaMcp = await load(mcp.url, call, 1);
    results.push({
      name: 'mcp tool call p50 latency vs an authenticated REST route, c=1',
      value: viaMcp.p50,
      unit: 'ms',
      baseline: { name: 'GET /whoami p50', value: rest.p50 },
      ratio: viaMcp.p50 / rest.p50,
    });
    return results;
  } finally {
    await mcp.stop();
    upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta.url, run);
