/**
 * Bad input to rag: wrong types, texts that are not strings, invalid collection names (injection
 * attempts included), top_k out of range, oversized requests. Each gets a clear 4xx in the OpenAI
 * envelope naming the field, and nothing is stored (checked in the real database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process.js';
import { post, startRagBed, type RagBed } from './harness.js';

let bed: RagBed;
let rag: ServiceProcess;

beforeAll(async () => {
  bed = await startRagBed();
  // A small body limit so that "oversized" is cheap to send.
  rag = await bed.startRag({ MAX_BODY: String(256 * 1024), MAX_DOCUMENTS: '5', MAX_DOCUMENT_CHARS: '5000' });
  const ok = await post(`${rag.url}/index`, {
    collection: 'good',
    documents: [{ id: 'a', text: 'a valid document' }],
  });
  expect(ok.status).toBe(200);
});

afterAll(async () => {
  await bed?.stop();
});

async function snapshot(): Promise<string> {
  const r = await bed.db.query(
    `SELECT (SELECT count(*) FROM rag_collections) AS c, (SELECT count(*) FROM rag_documents) AS d,
            (SELECT count(*) FROM rag_chunks) AS k, (SELECT string_agg(name, ',' ORDER BY name) FROM rag_collections) AS names`,
  );
  return JSON.stringify(r.rows[0]);
}

/** A second rag in front of an embedding service started with `env`; both are stopped after `fn`. */
async function withOtherEmbedding(
  env: Record<string, string>,
  fn: (ragUrl: string) => Promise<void>,
  timeoutMs?: number,
): Promise<void> {
  const embedding = await startServiceProcess('embedding', { timeoutMs, env: { LOG_LEVEL: 'warn', ...env } });
  const rag2 = await bed.startRag({ EMBEDDING_URL: embedding.url });
  try {
    await fn(rag2.url);
  } finally {
    await rag2.stop();
    await embedding.stop();
  }
}

const INVALID_NAMES = [
  "x'; DROP TABLE rag_chunks; --",
  'good OR 1=1',
  'Upper',
  '../etc/passwd',
  '',
  '-leading-dash',
  'a'.repeat(64),
  'spaces in name',
  'unicodé',
];

describe('rag bad input', () => {
  it('rejects invalid collection names, injection attempts included, on index and query', async () => {
    const before = await snapshot();
    for (const name of INVALID_NAMES) {
      const i = await post(`${rag.url}/index`, { collection: name, documents: [{ id: 'x', text: 'y' }] });
      expect(i.status, name).toBe(400);
      expect(i.json.error).toMatchObject({ code: 'invalid_collection_name', param: 'collection' });
      const q = await post(`${rag.url}/query`, { collection: name, query: 'y' });
      expect(q.status, name).toBe(400);
    }
    expect(await snapshot()).toBe(before);
    // the tables are all still there and queryable
    const q = await post(`${rag.url}/query`, { collection: 'good', query: 'valid', answer: false });
    expect(q.json.chunks).toHaveLength(1);
  });

  it('rejects wrong types with the offending field named', async () => {
    const before = await snapshot();
    const cases: Array<[string, unknown, string]> = [
      ['/index', [1, 2], 'body'],
      ['/index', { collection: 5, documents: [] }, 'collection'],
      ['/index', { collection: 'c1', documents: 'not an array' }, 'documents'],
      ['/index', { collection: 'c1', documents: [] }, 'documents'],
      ['/index', { collection: 'c1', documents: [{ id: 'a', text: 42 }] }, 'documents[0].text'],
      ['/index', { collection: 'c1', documents: [{ id: 'a', text: ['x'] }] }, 'documents[0].text'],
      ['/index', { collection: 'c1', documents: [{ id: 'a', text: '   ' }] }, 'documents[0].text'],
      ['/index', { collection: 'c1', documents: [{ id: 7, text: 'x' }] }, 'documents[0].id'],
      ['/index', { collection: 'c1', documents: [{ text: 'x' }] }, 'documents[0].id'],
      ['/index', { collection: 'c1', documents: ['just a string'] }, 'documents[0]'],
      [
        '/index',
        { collection: 'c1', documents: [{ id: 'a', text: 'x', metadata: 'm' }] },
        'documents[0].metadata',
      ],
      [
        '/index',
        {
          collection: 'c1',
          documents: [
            { id: 'a', text: 'x' },
            { id: 'a', text: 'y' },
          ],
        },
        'documents[1].id',
      ],
      // a valid first document does not get stored when a later one is bad
      [
        '/index',
        {
          collection: 'c1',
          documents: [
            { id: 'ok', text: 'fine' },
            { id: 'b', text: null },
          ],
        },
        'documents[1].text',
      ],
      ['/query', { collection: 'good', query: 3 }, 'query'],
      ['/query', { collection: 'good', query: '' }, 'query'],
      ['/query', { collection: 'good' }, 'query'],
      ['/query', { collection: 'good', query: 'x', answer: 'yes' }, 'answer'],
    ];
    for (const [path, body, param] of cases) {
      const r = await post(`${rag.url}${path}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.type).toBe('invalid_request_error');
      expect(r.json.error.param, JSON.stringify(body)).toBe(param);
    }
    expect(await snapshot()).toBe(before);
  });

  it('rejects top_k out of range or not an integer', async () => {
    for (const topK of [0, -1, 51, 1.5, '5', true, [3], 1e9]) {
      const r = await post(`${rag.url}/query`, { collection: 'good', query: 'valid', top_k: topK });
      expect(r.status, String(topK)).toBe(400);
      expect(r.json.error).toMatchObject({
        code: topK === null ? 'invalid_top_k' : 'invalid_top_k',
        param: 'top_k',
      });
    }
    const ok = await post(`${rag.url}/query`, {
      collection: 'good',
      query: 'valid',
      top_k: 50,
      answer: false,
    });
    expect(ok.status).toBe(200);
  });

  it('rejects oversized requests: body, document count, document length, malformed JSON', async () => {
    const before = await snapshot();
    const big = await post(`${rag.url}/index`, {
      collection: 'big',
      documents: [{ id: 'a', text: 'x'.repeat(300 * 1024) }],
    });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('body_too_large');
    const many = await post(`${rag.url}/index`, {
      collection: 'big',
      documents: Array.from({ length: 6 }, (_, i) => ({ id: `d${i}`, text: 'x' })),
    });
    expect(many.status).toBe(400);
    expect(many.json.error.code).toBe('too_many_documents');
    const long = await post(`${rag.url}/index`, {
      collection: 'big',
      documents: [{ id: 'a', text: 'y'.repeat(5001) }],
    });
    expect(long.status).toBe(400);
    expect(long.json.error).toMatchObject({ code: 'document_too_large', param: 'documents[0].text' });
    const malformed = await post(`${rag.url}/index`, '{"collection": "big", "documents": [');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('invalid_json');
    expect(await snapshot()).toBe(before);
  });

  it('counts rejected requests as client errors, not as failures', async () => {
    const text = await (await fetch(`${rag.url}/metrics`)).text();
    expect(text).toMatch(/rag_requests_total\{operation="index",status="client_error"\} [1-9]/);
    expect(text).not.toMatch(/rag_requests_total\{operation="index",status="error"\}/);
  });

  it('refuses to mix dimensions in a collection (409) and rolls the whole request back', async () => {
    await withOtherEmbedding({ EMBEDDING_DIM: '256' }, async (rag2) => {
      const before = await snapshot();
      const r = await post(`${rag2}/index`, {
        collection: 'good',
        documents: [
          { id: 'a', text: 'replacement that must not land' },
          { id: 'new', text: 'nor this one' },
        ],
      });
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('dimension_mismatch');
      expect(await snapshot()).toBe(before);
      const still = await post(`${rag.url}/query`, {
        collection: 'good',
        query: 'valid document',
        answer: false,
      });
      expect(still.json.chunks[0].text).toBe('a valid document');
    });
  });

  it('refuses another model of the same dimension (409 on index and query), until the collection is re-indexed', async () => {
    // the same 384 dimensions, another model: a search would rank by meaningless similarities
    await withOtherEmbedding({ EMBEDDING_MODEL: 'intfloat/e5-small-v2' }, async (rag2) => {
      const before = await snapshot();
      const i = await post(`${rag2}/index`, {
        collection: 'good',
        documents: [{ id: 'b', text: 'must not land next to the other model' }],
      });
      expect(i.status).toBe(409);
      expect(i.json.error.code).toBe('embedding_model_mismatch');
      expect(i.json.error.message).toContain(
        'collection "good" was indexed with BAAI/bge-small-en-v1.5 (hashing backend) but the embedding service now uses intfloat/e5-small-v2 (hashing backend)',
      );
      expect(await snapshot()).toBe(before);
      const q = await post(`${rag2}/query`, {
        collection: 'good',
        query: 'valid document',
        answer: false,
      });
      expect(q.status).toBe(409);
      expect(q.json.error.code).toBe('embedding_model_mismatch');
      expect(q.json.error.message).toMatch(/re-index the collection \(DELETE \/collections\/good/);
      // a collection of its own is fine with the other model
      const own = await post(`${rag2}/index`, {
        collection: 'e5',
        documents: [{ id: 'b', text: 'indexed with the other model' }],
      });
      expect(own.status).toBe(200);
      expect(own.json.embedding).toEqual({
        model: 'intfloat/e5-small-v2',
        backend: 'hashing',
        dimension: 384,
      });
      const found = await post(`${rag2}/query`, {
        collection: 'e5',
        query: 'other model',
        answer: false,
      });
      expect(found.json.chunks[0].document_id).toBe('b');
      await fetch(`${rag2}/collections/e5`, { method: 'DELETE' });
    });
  });

  it('refuses vectors of another backend under the same model name (the CPU profile labels hashing with the real model)', async () => {
    // as if the collection had been indexed on the GPU profile: onnx, the same name and dimension
    await bed.db.query("UPDATE rag_collections SET backend = 'onnx' WHERE name = 'good'");
    try {
      const q = await post(`${rag.url}/query`, {
        collection: 'good',
        query: 'valid document',
        answer: false,
      });
      expect(q.status).toBe(409);
      expect(q.json.error.message).toContain(
        'indexed with BAAI/bge-small-en-v1.5 (onnx backend) but the embedding service now uses BAAI/bge-small-en-v1.5 (hashing backend)',
      );
    } finally {
      await bed.db.query("UPDATE rag_collections SET backend = 'hashing' WHERE name = 'good'");
    }
  });

  it('takes a collection an older rag indexed (backend unknown) on trust, and records the backend on the next index', async () => {
    await bed.db.query("UPDATE rag_collections SET backend = NULL WHERE name = 'good'");
    const q = await post(`${rag.url}/query`, { collection: 'good', query: 'valid document', answer: false });
    expect(q.status).toBe(200);
    expect(q.json.chunks[0].text).toBe('a valid document');
    const i = await post(`${rag.url}/index`, {
      collection: 'good',
      documents: [{ id: 'a', text: 'a valid document' }],
    });
    expect(i.status).toBe(200);
    const r = await bed.db.query<{ backend: string | null }>(
      "SELECT backend FROM rag_collections WHERE name = 'good'",
    );
    expect(r.rows[0]?.backend).toBe('hashing');
  });

  it('refuses vectors pgvector cannot store (the 30522-dim ONNX test model) with a clear 422', async () => {
    const models = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/models');
    if (!existsSync(path.join(models, 'vespa-dummy-mlm', 'onnx', 'model.onnx'))) {
      throw new Error(`ONNX test model missing under ${models}: this test did NOT run`);
    }
    const onnx = { EMBEDDING_BACKEND: 'onnx', EMBEDDING_MODEL: 'vespa-dummy-mlm', MODELS_DIR: models };
    await withOtherEmbedding(
      onnx,
      async (rag2) => {
        const before = await snapshot();
        const r = await post(`${rag2}/index`, {
          collection: 'wide',
          documents: [{ id: 'a', text: 'wide vectors' }],
        });
        expect(r.status).toBe(422);
        expect(r.json.error.code).toBe('dimension_unsupported');
        expect(r.json.error.message).toContain('30522');
        expect(await snapshot()).toBe(before);
        // a query against a 384-dim collection explains the mismatch instead of failing
        const q = await post(`${rag2}/query`, { collection: 'good', query: 'valid', answer: false });
        expect(q.status).toBe(409);
        expect(q.json.error.code).toBe('dimension_mismatch');
      },
      60_000,
    );
  });
});
