/**
 * embedding and rag throughput/latency.
 * - Embeddings per second of the embedding service (hashing backend) at batch 1 and 64, through
 *   HTTP, against the bare hashing function in this process (baseline: the same texts, same batch).
 * - RAG query latency p50/p95 at 10,000 chunks (POST /query, answer off, top_k 5: HTTP, query
 *   embedding, pgvector search), against the bare pgvector SQL statement rag runs (named, as rag
 *   runs it), with the same query vectors, from this process (target: rag <= 1.5x bare SQL). The
 *   same queries through bench/reference/minimal-rag.ts (the least a Node service with rag's two hops does)
 *   show what this machine allows apart from rag's own code, and through its one-hop variant (the
 *   query embedded in the service's own process) what any Node service in front of pgvector costs.
 * Real Postgres 17 + pgvector (the test bed's stand-in image in Docker), real service processes.
 *
 * Alone: `npx tsx bench/embedding-rag.ts` (BENCH_EMBED_SECONDS=3 per throughput scenario,
 * BENCH_RAG_QUERIES=400 timed queries).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Pool } from 'undici';
import { hashEmbed } from '../src/services/embedding/hashing.js';
import { ServerTiming } from '../src/services/rag/routes.js';
import { searchSql, toVector } from '../src/services/rag/store.js';
import { startPostgres } from '../test/support/postgres.js';
import { startServiceProcess, type ServiceProcess } from '../test/support/service-process.js';
import { percentile, runIfMain, startReference, type BenchResult } from './types.js';

const SECONDS = Number(process.env.BENCH_EMBED_SECONDS ?? 3);
const QUERIES = Number(process.env.BENCH_RAG_QUERIES ?? 400);
/** Queries per path before measuring (JIT, pools, plan caches). */
const WARM_QUERIES = Number(process.env.BENCH_RAG_WARM_QUERIES ?? 1000);
const CHUNKS = 10_000;

interface Corpus {
  documents: Array<{ id: string; text: string }>;
  questions: Array<{ question: string }>;
}
const corpus = JSON.parse(
  readFileSync(new URL('../test/fixtures/rag-corpus/corpus.json', import.meta.url), 'utf8'),
) as Corpus;
const sentences = corpus.documents.flatMap((d) => d.text.split(/(?<=\.)\s+/));

/** Texts of a typical chunk length (~400 characters). */
function texts(n: number, seed = 0): string[] {
  return Array.from({ length: n }, (_, i) => {
    const k = (i + seed) * 7;
    return [0, 1, 2].map((j) => sentences[(k + j * 13) % sentences.length]).join(' ') + ` #${i + seed}`;
  });
}

async function timed(fn: () => Promise<number>, seconds: number): Promise<number> {
  const warmEnd = Date.now() + 300;
  while (Date.now() < warmEnd) await fn();
  let items = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) items += await fn();
  return items / ((performance.now() - t0) / 1000);
}

async function embeddingThroughput(emb: ServiceProcess): Promise<BenchResult[]> {
  const http = new Pool(emb.url, { connections: 1 });
  const out: BenchResult[] = [];
  try {
    for (const batch of [1, 64]) {
      const pool = texts(batch * 16);
      let n = 0;
      const next = (): string[] => {
        n = (n + 1) % 16;
        return pool.slice(n * batch, n * batch + batch);
      };
      const bare = await timed(async () => {
        for (const t of next()) hashEmbed(t, 384);
        return batch;
      }, SECONDS);
      const service = await timed(async () => {
        const r = await http.request({
          path: '/embed',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ texts: next() }),
        });
        const body = (await r.body.json()) as { embeddings: number[][] };
        if (r.statusCode !== 200 || body.embeddings.length !== batch)
          throw new Error(`embed failed: ${r.statusCode}`);
        return batch;
      }, SECONDS);
      out.push({
        name: `embedding hashing, batch ${batch} (embeddings/s)`,
        value: service,
        unit: 'emb/s',
        baseline: { name: 'bare hashEmbed', value: bare },
        ratio: service / bare,
      });
    }
  } finally {
    await http.close();
  }
  return out;
}

async function ragQueryLatency(emb: ServiceProcess, databaseUrl: string): Promise<BenchResult[]> {
  const rag = await startServiceProcess('rag', {
    timeoutMs: 60_000,
    env: {
      DATABASE_URL: databaseUrl,
      EMBEDDING_URL: emb.url,
      GATEWAY_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'warn',
    },
  });
  const http = new Pool(rag.url, { connections: 1 });
  const db = new pg.Client({ connectionString: databaseUrl });
  const references: Array<{ stop(): Promise<void> }> = [];
  const pools: Pool[] = [];
  try {
    /** Server-Timing durations of the timed queries, by step (embed, search). */
    const steps = new Map<string, number[]>();
    let timing = false;
    const post = async (pool: Pool, path: string, body: unknown): Promise<Record<string, unknown>> => {
      const r = await pool.request({
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await r.body.json()) as Record<string, unknown>;
      if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${JSON.stringify(json)}`);
      const st = r.headers['server-timing'];
      if (timing && typeof st === 'string') {
        for (const [name, ms] of ServerTiming.parse(st)) steps.set(name, [...(steps.get(name) ?? []), ms]);
      }
      return json;
    };
    const docs = texts(CHUNKS).map((text, i) => ({ id: `doc-${i}`, text }));
    for (let i = 0; i < docs.length; i += 1000) {
      await post(http, '/index', { collection: 'bench', documents: docs.slice(i, i + 1000) });
    }
    await db.connect();
    // Settle the bulk load before timing: the planner's statistics and the visibility map (autovacuum
    // would run a bit later, in the timed part) and the dirty pages (a checkpoint). Without this the
    // first few seconds of queries ran ~25% slower, both paths alike.
    await db.query('VACUUM ANALYZE rag_chunks, rag_documents, rag_collections');
    await db.query('CHECKPOINT');
    await db.query("SET hnsw.iterative_scan = 'strict_order'");
    const col = await db.query<{ id: number; chunks: number; model: string; backend: string | null }>(
      "SELECT k.id, k.model, k.backend, (SELECT count(*)::int FROM rag_chunks c WHERE c.collection_id = k.id) AS chunks FROM rag_collections k WHERE name = 'bench'",
    );
    const { chunks, model, backend } = col.rows[0] as {
      chunks: number;
      model: string;
      backend: string | null;
    };
    if (chunks !== CHUNKS) throw new Error(`expected ${CHUNKS} chunks, stored ${chunks}`);
    const questions = corpus.questions.map((q) => q.question);
    const vectors = questions.map((q) => toVector(Array.from(hashEmbed(q, 384))));
    const sql = searchSql(384);
    // The statement as rag runs it: named, so each connection parses it once.
    const search = (k: number) =>
      db.query({ name: 'search', text: sql, values: ['bench', vectors[k], 5, model, backend] });
    const plan = await db.query(`EXPLAIN ${sql}`, ['bench', vectors[0], 5, model, backend]);
    const usesIndex = plan.rows.some((r: Record<string, string>) =>
      /rag_chunks_hnsw_384/.test(Object.values(r)[0] ?? ''),
    );

    const reference = async (mode: string): Promise<Pool> => {
      const started = await startReference('minimal-rag.ts', [emb.url, databaseUrl, mode]);
      references.push(started);
      const pool = new Pool(started.url, { connections: 1 });
      pools.push(pool);
      return pool;
    };
    const twoHops = await reference('');
    const oneHop = await reference('in-process');
    /** The number of chunks a /query through `pool` returned (rag, or the minimal reference). */
    const query = async (pool: Pool, k: number): Promise<number> => {
      const q = await post(pool, '/query', {
        collection: 'bench',
        query: questions[k],
        top_k: 5,
        answer: false,
      });
      return (q.chunks as unknown[]).length;
    };
    // Warm the four paths (JIT, pools, plan caches), then interleave them so drift (caches, CPU)
    // hits all alike.
    for (let i = 0; i < WARM_QUERIES; i++) {
      const k = i % questions.length;
      await search(k);
      await query(http, k);
      await query(twoHops, k);
      await query(oneHop, k);
    }
    const bare: number[] = [];
    const full: number[] = [];
    const viaTwoHops: number[] = [];
    const viaOneHop: number[] = [];
    timing = true;
    for (let i = 0; i < QUERIES; i++) {
      const k = i % questions.length;
      let t0 = performance.now();
      const r = await search(k);
      bare.push(performance.now() - t0);
      if (r.rows.length !== 5) throw new Error('bare query returned fewer than 5 rows');
      t0 = performance.now();
      const n = await query(http, k);
      full.push(performance.now() - t0);
      if (n !== 5) throw new Error('rag query returned fewer than 5 chunks');
      for (const [pool, times] of [
        [twoHops, viaTwoHops],
        [oneHop, viaOneHop],
      ] as const) {
        t0 = performance.now();
        const m = await query(pool, k);
        times.push(performance.now() - t0);
        if (m !== 5) throw new Error('the minimal rag returned fewer than 5 chunks');
      }
    }
    const index = usesIndex ? 'HNSW' : 'no index (seq scan)';
    const res: BenchResult[] = [];
    // rag against the target; then what this machine allows any Node service with rag's two hops
    // (client -> service -> embedding, then Postgres), and with one (the query embedded in-process):
    // the same queries through bench/reference/minimal-rag.ts
    for (const [times, name, target] of [
      [full, `rag /query at ${CHUNKS} chunks (${index})`, 1.5],
      [viaTwoHops, 'reference: minimal Node rag', undefined],
      [viaOneHop, 'reference: minimal Node rag, query embedded in-process', undefined],
    ] as const) {
      for (const p of [50, 95]) {
        const value = percentile(times, p);
        const base = percentile(bare, p);
        res.push({
          name: `${name} p${p}`,
          value,
          unit: 'ms',
          baseline: { name: `bare pgvector SQL p${p}`, value: base },
          ratio: value / base,
          ...(target ? { target: `<= ${target}x`, met: value / base <= target } : {}),
        });
      }
    }
    // Where a query's time goes inside rag (its Server-Timing header): the embedding service call
    // (an HTTP round trip plus the embedding) and the search (pool checkout plus the same SQL).
    for (const [step, what] of [
      ['embed', 'embedding call'],
      ['search', 'pgvector search'],
    ] as const) {
      const d = steps.get(step) ?? [];
      if (d.length)
        res.push({ name: `rag /query: ${what} inside rag, p50`, value: percentile(d, 50), unit: 'ms' });
    }
    return res;
  } finally {
    await db.end().catch(() => undefined);
    await http.close();
    for (const pool of pools) await pool.close();
    for (const r of references) await r.stop();
    await rag.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const postgres = await startPostgres();
  const emb = await startServiceProcess('embedding', {
    env: { EMBEDDING_BACKEND: 'hashing', LOG_LEVEL: 'warn' },
  });
  try {
    return [...(await embeddingThroughput(emb)), ...(await ragQueryLatency(emb, postgres.url))];
  } finally {
    await emb.stop();
    await postgres.stop();
  }
}

await runIfMain(import.meta.url, run);
