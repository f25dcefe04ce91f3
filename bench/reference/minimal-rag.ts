/**
 * A reference point for the rag bench, not a product: the least a Node query service can do per
 * `POST /query` with rag's architecture (node:http server, one embedding call over undici, one pgvector
 * statement over pg, JSON out; no validation, metrics, logs, error mapping or Server-Timing). Its
 * latency against the bare SQL shows what the two HTTP hops cost on this machine at all, apart from
 * rag's own code.
 *
 * With `in-process` as third argument it embeds the query itself with the hashing function instead of
 * calling the embedding service: one HTTP hop (client -> service), then Postgres, the least any
 * Node query service in front of pgvector can do.
 *
 * `node --import tsx bench/reference/minimal-rag.ts <embedding-url> <database-url> [in-process]`: prints
 * the URL it listens on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Pool } from 'undici';
import { hashEmbed } from '../../src/services/embedding/hashing.js';
import { decodeEmbedding } from '../../src/services/rag/dependencies.js';
import { searchSql, toVector } from '../../src/services/rag/store.js';

const embedding = new Pool(process.argv[2] ?? 'http://127.0.0.1:8080', { connections: 16 });
// the same session setting rag's pool uses (pgvector's iterative scan keeps top_k rows under a filter)
const db = new pg.Pool({
  connectionString: process.argv[3],
  max: 4,
  options: '-c hnsw.iterative_scan=strict_order',
});

const IN_PROCESS = process.argv[4] === 'in-process';

// in-process, the query is embedded as the embedding service would (its model and backend, from /health)
const own = IN_PROCESS
  ? ((await (await fetch(`${process.argv[2]}/health`)).json()) as { model: string; backend: string })
  : undefined;

async function embed(text: string): Promise<{ vector: number[]; model: string; backend?: string }> {
  if (own) return { vector: Array.from(hashEmbed(text, 384)), model: own.model, backend: own.backend };
  const r = await embedding.request({
    method: 'POST',
    path: '/v1/embeddings',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: [text], encoding_format: 'base64' }),
  });
  const { data, model, backend } = (await r.body.json()) as {
    data: Array<{ embedding: string }>;
    model: string;
    backend?: string;
  };
  return { vector: decodeEmbedding(data[0]?.embedding), model, backend };
}

async function query(body: { collection: string; query: string; top_k: number }): Promise<unknown> {
  const { vector, model, backend } = await embed(body.query);
  const rows = await db.query({
    name: `search_${vector.length}`,
    text: searchSql(vector.length),
    values: [body.collection, toVector(vector), body.top_k, model, backend ?? null],
  });
  return { chunks: rows.rows };
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    query(JSON.parse(Buffer.concat(chunks).toString()) as Parameters<typeof query>[0])
      .then((out) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out)))
      .catch((e: Error) => res.writeHead(500).end(e.message));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void embedding.close();
  void db.end();
});
