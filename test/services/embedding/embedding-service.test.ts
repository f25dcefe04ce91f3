import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../../../src/services/embedding/index.js';
import type { RunningService } from '../../../src/services/kit/index.js';

let svc: RunningService;

async function post(path: string, body: unknown, init: RequestInit = {}) {
  const res = await fetch(`${svc.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  return { res, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

beforeAll(async () => {
  svc = await start({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', EMBEDDING_BACKEND: 'hashing' });
});
afterAll(async () => {
  await svc?.close();
});

describe('embedding service (hashing backend, real HTTP)', () => {
  it('embeds one text into 384 L2-normalised dimensions', async () => {
    const { res, json } = await post('/embed', { texts: ['The quick brown fox'] });
    expect(res.status).toBe(200);
    expect(json.embeddings).toHaveLength(1);
    expect(json.embeddings[0]).toHaveLength(384);
    expect(norm(json.embeddings[0])).toBeCloseTo(1, 6);
    expect(json).toMatchObject({ dimension: 384, truncated: { texts: 0, chars: 0 } });
  });

  it('embeds a batch in order, each vector equal to the single embedding (TEI inputs too)', async () => {
    const texts = ['alpha beta', 'gamma delta', 'epsilon'];
    const batch = await post('/embed', { texts });
    expect(batch.json.embeddings).toHaveLength(3);
    const single = await post('/embed', { inputs: 'gamma delta' });
    expect(batch.json.embeddings[1]).toEqual(single.json.embeddings[0]);
  });

  it('health names the model, backend, dimension and says it is lexical', async () => {
    const res = await fetch(`${svc.url}/health`);
    const h = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(h).toMatchObject({
      status: 'ok',
      service: 'embedding',
      model: 'BAAI/bge-small-en-v1.5',
      backend: 'hashing',
      dimension: 384,
      semantic: false,
      max_texts: 1024,
      max_chars: 8000,
    });
    expect(String(h.description)).toContain('lexical');
  });

  it('truncates 2000 texts to 1024 and says so in body, header and metric', async () => {
    const before = await metric('embedding_truncations_total{kind="texts"}');
    const texts = Array.from({ length: 2000 }, (_, i) => `text number ${i}`);
    const { res, json } = await post('/embed', { texts });
    expect(res.status).toBe(200);
    expect(json.embeddings).toHaveLength(1024);
    expect(json.truncated).toEqual({ texts: 976, chars: 0 });
    expect(res.headers.get('x-embedding-truncated-texts')).toBe('976');
    expect((await metric('embedding_truncations_total{kind="texts"}')) - before).toBe(976);
  });

  it('cuts a 10000-character text to 8000 instead of rejecting it', async () => {
    const before = await metric('embedding_truncations_total{kind="chars"}');
    const long = Array.from({ length: 3000 }, (_, i) => `w${i % 97}`).join(' ');
    expect(long.length).toBeGreaterThan(8000);
    const text = long.slice(0, 10_000).padEnd(10_000, 'x');
    const { res, json } = await post('/embed', { texts: [text, 'short'] });
    expect(res.status).toBe(200);
    expect(json.truncated).toEqual({ texts: 0, chars: 1 });
    expect(res.headers.get('x-embedding-truncated-chars')).toBe('1');
    const cut = await post('/embed', { texts: [text.slice(0, 8000)] });
    expect(json.embeddings[0]).toEqual(cut.json.embeddings[0]);
    expect((await metric('embedding_truncations_total{kind="chars"}')) - before).toBe(1);
  });

  it('returns an empty list for an empty list', async () => {
    const { res, json } = await post('/embed', { texts: [] });
    expect(res.status).toBe(200);
    expect(json.embeddings).toEqual([]);
  });

  it('serves OpenAI /v1/embeddings to the official client (base64 by default, and float)', async () => {
    const client = new OpenAI({ baseURL: `${svc.url}/v1`, apiKey: 'unused' });
    const r = await client.embeddings.create({ model: 'embedding', input: ['hello world', 'second'] });
    expect(r.data).toHaveLength(2);
    expect(r.data[0]?.embedding).toHaveLength(384);
    const tei = await post('/embed', { texts: ['hello world'] });
    // base64 carries float32: equal to the float answer within float32 precision.
    r.data[0]?.embedding.forEach((x, i) => expect(x).toBeCloseTo(tei.json.embeddings[0][i], 6));
    const f = await client.embeddings.create({ model: 'x', input: 'hello world', encoding_format: 'float' });
    expect(f.data[0]?.embedding).toEqual(tei.json.embeddings[0]);
    expect(f.usage.total_tokens).toBeGreaterThan(0);
  });

  it('rejects bad input with a clear 4xx in the OpenAI envelope and counts it', async () => {
    const before = await metric('embedding_request_failures_total{error_type="validation"}');
    const cases: Array<[unknown, string]> = [
      [{ texts: 'ok', inputs: 'also' }, 'invalid_request'],
      [{}, 'invalid_request'],
      [{ texts: [1, 2] }, 'invalid_type'],
      [{ texts: ['ok', null] }, 'invalid_type'],
      [{ texts: { a: 1 } }, 'invalid_type'],
      [[1, 2, 3], 'invalid_request'],
    ];
    for (const [body, code] of cases) {
      const { res, json } = await post('/embed', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(json.error).toMatchObject({ type: 'invalid_request_error', code });
    }
    const v1 = await post('/v1/embeddings', { input: [[1, 2]] });
    expect(v1.res.status).toBe(400);
    expect(v1.json.error.param).toBe('input[0]');
    const malformed = await post('/embed', '{"texts": [');
    expect(malformed.res.status).toBe(400);
    expect((await metric('embedding_request_failures_total{error_type="validation"}')) - before).toBe(
      cases.length + 1,
    );
  });

  it('answers 413 for a body over the limit', async () => {
    // 1024 texts x 8000 chars x 2 = ~16 MB is the limit; 20 MB is over it.
    const huge = JSON.stringify({ texts: ['x'.repeat(20 * 1024 * 1024)] });
    const { res, json } = await post('/embed', huge);
    expect(res.status).toBe(413);
    expect(json.error.code).toBe('body_too_large');
  });

  it('reload swaps the model (label) and rejects bad names without changing it', async () => {
    const bad = await post('/reload', { model: '../../etc/passwd' });
    expect(bad.res.status).toBe(400);
    const wrongBackend = await post('/reload', { model: 'x', backend: 'tfidf' });
    expect(wrongBackend.res.status).toBe(400);
    const r = await post('/reload', { model: 'hashing-v2' });
    expect(r.res.status).toBe(200);
    expect(r.json).toMatchObject({
      status: 'reloaded',
      previous: { model: 'BAAI/bge-small-en-v1.5' },
      model: { model: 'hashing-v2', backend: 'hashing', dimension: 384 },
    });
    const h = (await (await fetch(`${svc.url}/health`)).json()) as Record<string, unknown>;
    expect(h).toMatchObject({ model: 'hashing-v2', reloads: 1, retiring_models: 0 });
    const e = await post('/embed', { texts: ['after reload'] });
    expect(e.json.model).toBe('hashing-v2');
  });

  it('exports the TEI-style metrics under the suite names', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    for (const name of [
      'embedding_requests_total{status="success"}',
      'embedding_queue_size',
      'embedding_queue_duration_seconds_count',
      'embedding_tokenization_duration_seconds_count',
      'embedding_inference_duration_seconds_count',
      'embedding_batch_size_count',
    ]) {
      expect(text, name).toContain(name);
    }
    // 1024 texts run as 16 batches of MAX_BATCH=64: batch size observations exceed request count.
    expect(await metric('embedding_batch_size_count')).toBeGreaterThan(16);
  });
});
