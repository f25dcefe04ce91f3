/**
 * Acceptance scenarios of rag against real dependencies: PostgreSQL 17 + pgvector in Docker, and
 * the embedding (hashing backend), mock-inference, api-gateway and rag services as processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type ServiceProcess } from '../../support/service-process.js';
import pg from 'pg';
import { hashEmbed } from '../../../src/services/embedding/hashing.js';
import { ServerTiming } from '../../../src/services/rag/routes.js';
import { RagStore } from '../../../src/services/rag/store.js';
import { API_KEY, corpus, type Json, eventually, metric, post, startRagBed, type RagBed } from './harness.js';

let bed: RagBed;
let rag: ServiceProcess;
/** What made the corpus collection's vectors (the bed's embedding service). */
const CORPUS_SPACE = { model: 'BAAI/bge-small-en-v1.5', backend: 'hashing' };

beforeAll(async () => {
  bed = await startRagBed();
  rag = await bed.startRag({ HEALTH_CHECK_INTERVAL: '200ms' });
});

afterAll(async () => {
  await bed?.stop();
});

async function health(p: ServiceProcess = rag): Promise<Json> {
  return (await (await fetch(`${p.url}/health`)).json()) as Json;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const r = await bed.db.query<{ n: number }>(sql, params);
  return Number(r.rows[0]?.n ?? 0);
}

describe('rag service', () => {
  it('health shows postgres (with pgvector), embedding and the schema version', async () => {
    await eventually(async () => (await health()).checks?.gateway?.state === 'up');
    const h = await health();
    expect(h.status).toBe('ok');
    expect(h.schemaVersion).toBe(2);
    expect(h.checks.postgres).toMatchObject({ state: 'up', hard: true });
    expect(h.checks.postgres.detail.pgvector).toMatch(/^0\.\d+/);
    expect(h.checks.embedding).toMatchObject({
      state: 'up',
      detail: { model: 'BAAI/bge-small-en-v1.5', backend: 'hashing', dimension: 384 },
    });
  });

  it('indexes the shipped corpus in one request and lists the collection', async () => {
    const before = await metric(rag.url, 'rag_chunks_stored_total');
    const r = await post(`${rag.url}/index`, { collection: 'corpus', documents: corpus.documents });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      collection: 'corpus',
      documents: corpus.documents.length,
      created_collection: true,
      embedding: { dimension: 384 },
    });
    expect(r.json.chunks).toBeGreaterThanOrEqual(corpus.documents.length);
    expect((await metric(rag.url, 'rag_chunks_stored_total')) - before).toBe(r.json.chunks);
    const stored = await count(
      "SELECT count(*) AS n FROM rag_chunks c JOIN rag_collections k ON k.id = c.collection_id WHERE k.name = 'corpus'",
    );
    expect(stored).toBe(r.json.chunks);
    const list = (await (await fetch(`${rag.url}/collections`)).json()) as { collections: unknown[] };
    expect(list.collections).toContainEqual(
      expect.objectContaining({ name: 'corpus', documents: corpus.documents.length, chunks: r.json.chunks }),
    );
  });

  it('answers a query with relevant chunks and an answer generated through the gateway', async () => {
    const r = await post(`${rag.url}/query`, {
      collection: 'corpus',
      query: 'How do volcanologists forecast an eruption?',
      top_k: 3,
    });
    expect(r.status).toBe(200);
    expect(r.json.chunks).toHaveLength(3);
    expect(r.json.chunks[0]).toMatchObject({ document_id: 'volcanoes', metadata: { title: 'Volcanoes' } });
    expect(r.json.chunks[0].score).toBeGreaterThan(r.json.chunks[1].score);
    expect(r.json.answer_error).toBeNull();
    expect(typeof r.json.answer).toBe('string');
    expect(r.json.answer.length).toBeGreaterThan(0);
    expect(r.json.answer_model).toBeTruthy();
    // where the time went: the embedding call, the pgvector search and the answer, in that order
    const timing = ServerTiming.parse(r.headers.get('server-timing') ?? '');
    expect(timing.map(([name]) => name)).toEqual(['embed', 'search', 'answer']);
    for (const [, ms] of timing) expect(ms).toBeGreaterThan(0);
  });

  it('ranks the relevant document in the top 3 for every corpus question (hashing backend)', async () => {
    const misses: string[] = [];
    for (const q of corpus.questions) {
      const r = await post(`${rag.url}/query`, {
        collection: 'corpus',
        query: q.question,
        top_k: 3,
        answer: false,
      });
      expect(r.status).toBe(200);
      const ids = (r.json.chunks as Array<{ document_id: string }>).map((c) => c.document_id);
      if (!ids.includes(q.document_id)) misses.push(`${q.question} -> ${ids.join(', ')}`);
    }
    expect(misses).toEqual([]);
  });

  it('answers 404 in the OpenAI envelope for a collection that does not exist', async () => {
    const r = await post(`${rag.url}/query`, { collection: 'no-such-collection', query: 'anything' });
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({
      type: 'not_found_error',
      code: 'collection_not_found',
      param: 'collection',
    });
  });

  it('a query of stop words only returns no chunks (not NaN scores) and says why', async () => {
    const r = await post(`${rag.url}/query`, { collection: 'corpus', query: 'what is it?' });
    expect(r.status).toBe(200);
    expect(r.json.chunks).toEqual([]);
    expect(r.json.answer).toBeNull();
    expect(r.json.answer_error).toMatchObject({
      reason: 'no_context',
      message: 'the query has no searchable words',
    });
  });

  it('re-indexing a document id replaces its chunks', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `Sentence ${i} about glaciers and ice sheets.`).join(
      ' ',
    );
    const first = await post(`${rag.url}/index`, {
      collection: 'replace',
      documents: [{ id: 'doc', text: long }],
    });
    expect(first.json.chunks).toBeGreaterThan(1);
    const second = await post(`${rag.url}/index`, {
      collection: 'replace',
      documents: [{ id: 'doc', text: 'Deserts receive very little rain.', metadata: { v: 2 } }],
    });
    expect(second.json).toMatchObject({ chunks: 1, replaced_documents: 1, created_collection: false });
    const q = await post(`${rag.url}/query`, {
      collection: 'replace',
      query: 'glaciers',
      top_k: 10,
      answer: false,
    });
    expect(q.json.chunks).toHaveLength(1);
    expect(q.json.chunks[0]).toMatchObject({ text: 'Deserts receive very little rain.', metadata: { v: 2 } });
  });

  it('returns chunks and answer null with a reason when the gateway is unavailable', async () => {
    const closed = await freePort();
    const noGateway = await bed.startRag({ GATEWAY_URL: `http://127.0.0.1:${closed}` });
    try {
      const before = await metric(noGateway.url, 'rag_dependency_errors_total{dependency="gateway"}');
      const r = await post(`${noGateway.url}/query`, {
        collection: 'corpus',
        query: 'How do vaccines work?',
      });
      expect(r.status).toBe(200);
      expect(r.json.chunks.length).toBeGreaterThan(0);
      expect(r.json.chunks[0].document_id).toBe('vaccines');
      expect(r.json.answer).toBeNull();
      expect(r.json.answer_error.reason).toBe('gateway_unavailable');
      expect(
        (await metric(noGateway.url, 'rag_dependency_errors_total{dependency="gateway"}')) - before,
      ).toBe(1);
    } finally {
      await noGateway.stop();
    }
  });

  it('with embedding down, /query and /index answer 503 with Retry-After and store nothing', async () => {
    const docsBefore = await count('SELECT count(*) AS n FROM rag_documents');
    await bed.stopEmbedding();
    try {
      const q = await post(`${rag.url}/query`, { collection: 'corpus', query: 'volcano' });
      expect(q.status).toBe(503);
      expect(q.headers.get('retry-after')).toBe('5');
      expect(q.json.error).toMatchObject({ type: 'unavailable_error', code: 'embedding_unavailable' });
      const i = await post(`${rag.url}/index`, {
        collection: 'during-outage',
        documents: [{ id: 'a', text: 'not stored' }],
      });
      expect(i.status).toBe(503);
      expect(i.headers.get('retry-after')).toBe('5');
      expect(await count('SELECT count(*) AS n FROM rag_documents')).toBe(docsBefore);
      expect(await count("SELECT count(*) AS n FROM rag_collections WHERE name = 'during-outage'")).toBe(0);
      expect(
        await metric(rag.url, 'rag_dependency_errors_total{dependency="embedding"}'),
      ).toBeGreaterThanOrEqual(2);
      expect(
        await metric(rag.url, 'rag_requests_total{operation="query",status="unavailable"}'),
      ).toBeGreaterThanOrEqual(1);
      // /health reports it (embedding is a soft dependency: rag stays ready for listing/deleting)
      await eventually(async () => (await health()).checks?.embedding?.state === 'down');
      expect((await health()).status).toBe('degraded');
    } finally {
      await bed.restartEmbedding();
    }
    await eventually(async () => (await health()).checks?.embedding?.state === 'up');
    const again = await post(`${rag.url}/query`, { collection: 'corpus', query: 'volcano', answer: false });
    expect(again.status).toBe(200);
  });

  it('deletes a collection (and only an existing, well-named one)', async () => {
    await post(`${rag.url}/index`, {
      collection: 'to-delete',
      documents: [{ id: 'a', text: 'short lived' }],
    });
    const bad = await fetch(`${rag.url}/collections/${encodeURIComponent("x'; DROP TABLE rag_chunks; --")}`, {
      method: 'DELETE',
    });
    expect(bad.status).toBe(400);
    const missing = await fetch(`${rag.url}/collections/never-was`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    const ok = await fetch(`${rag.url}/collections/to-delete`, { method: 'DELETE' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      deleted: true,
      collection: 'to-delete',
      documents: 1,
      chunks: 1,
    });
    expect(
      await count("SELECT count(*) AS n FROM rag_chunks WHERE doc_id = 'a' AND content = 'short lived'"),
    ).toBe(0);
    const q = await post(`${rag.url}/query`, { collection: 'to-delete', query: 'short' });
    expect(q.status).toBe(404);
  });

  it('runs migrations idempotently: a second instance finds schema version 2 applied once', async () => {
    const second = await bed.startRag();
    try {
      expect((await health(second)).schemaVersion).toBe(2);
      expect(await count('SELECT count(*) AS n FROM rag_schema_migrations')).toBe(2);
      const logs = second.logs().find((l) => l.msg === 'migrations done');
      expect(logs).toMatchObject({ applied: [], schemaVersion: 2 });
    } finally {
      await second.stop();
    }
  });

  it('searches with a named statement, or an unnamed one with PG_PREPARE=false (a pooler that cannot keep them)', async () => {
    // one connection, so the statements the store prepared are visible to the check on the same session
    const pool = new pg.Pool({ connectionString: bed.postgres.url, max: 1 });
    try {
      const vector = Array.from(hashEmbed('vector search', 384));
      const prepared = async (prepare: boolean): Promise<string[]> => {
        await pool.query('DEALLOCATE ALL');
        const found = await new RagStore(pool, { prepare }).search('corpus', vector, 3, CORPUS_SPACE);
        expect(found).toHaveLength(3);
        const r = await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
        return r.rows.map((row) => row.name);
      };
      expect(await prepared(true)).toEqual(['rag_search_384']);
      expect(await prepared(false)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('never logs the gateway API key', () => {
    expect(rag.lines().join('\n')).not.toContain(API_KEY);
  });
});
