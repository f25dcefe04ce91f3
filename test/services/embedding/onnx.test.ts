/**
 * The ONNX backend with a real (tiny, random-weight) model loaded offline by transformers.js from
 * test/fixtures/models/vespa-dummy-mlm (copied from ../shared/models). It tests the plumbing (load, tokenise, run, pool, normalise,
 * reload), not meaning. If the model folder is absent these tests fail loudly: they did not run.
 */
import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../../../src/services/embedding/index.js';
import { choosePooling } from '../../../src/services/embedding/onnx.js';
import type { RunningService } from '../../../src/services/kit/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SHARED_MODEL = path.resolve(ROOT, 'test/fixtures/models/vespa-dummy-mlm');

let modelsDir: string;
let svc: RunningService;

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

beforeAll(async () => {
  if (!existsSync(path.join(SHARED_MODEL, 'onnx', 'model.onnx'))) {
    throw new Error(
      `ONNX test model missing at ${SHARED_MODEL}: these ONNX tests did NOT run (see test/fixtures/models/README.md)`,
    );
  }
  // Two model names for reload, both links to the shared folder (nothing large is copied).
  modelsDir = mkdtempSync(path.join(tmpdir(), 'aisuite-models-'));
  symlinkSync(SHARED_MODEL, path.join(modelsDir, 'vespa-dummy-mlm'));
  mkdirSync(path.join(modelsDir, 'org'));
  symlinkSync(SHARED_MODEL, path.join(modelsDir, 'org', 'dummy-b'));
  svc = await start({
    PORT: '0',
    LOG_LEVEL: 'silent',
    EMBEDDING_BACKEND: 'onnx',
    EMBEDDING_MODEL: 'vespa-dummy-mlm',
    MODELS_DIR: modelsDir,
    MAX_BATCH: '2',
  });
});

afterAll(async () => {
  await svc?.close();
  if (modelsDir) rmSync(modelsDir, { recursive: true, force: true });
});

describe('embedding service, onnx backend (real transformers.js + onnxruntime-node)', () => {
  it('loads the local model offline and reports its real dimension and pooling in /health', async () => {
    const h = (await (await fetch(`${svc.url}/health`)).json()) as Record<string, unknown>;
    expect(h).toMatchObject({
      status: 'ok',
      backend: 'onnx',
      model: 'vespa-dummy-mlm',
      dimension: 30522,
      pooling: 'mean',
      semantic: true,
    });
  });

  it('embeds a batch into normalised vectors, deterministic per text', async () => {
    const { res, json } = await post(`${svc.url}/embed`, {
      texts: ['hello world', 'pgvector index', 'hello world'],
    });
    expect(res.status).toBe(200);
    const [a, b, c] = json.embeddings as number[][];
    expect(a).toHaveLength(30522);
    expect(norm(a as number[])).toBeCloseTo(1, 4);
    // Compare as strings: a failing deep-equal of 30522 numbers would print a huge diff.
    const again = await post(`${svc.url}/embed`, { texts: ['hello world', 'pgvector index', 'hello world'] });
    expect(JSON.stringify(again.json.embeddings) === JSON.stringify(json.embeddings)).toBe(true);
    expect(JSON.stringify(b) === JSON.stringify(a)).toBe(false);
    expect(c).toHaveLength(30522);
  });

  it('reload swaps to another model without dropping an in-flight request', async () => {
    // Given a request of 12 texts in batches of 2 that is running on the first model
    const texts = Array.from({ length: 12 }, (_, i) => `in flight text number ${i}`);
    const inflight = post(`${svc.url}/embed`, { texts });
    await new Promise((r) => setTimeout(r, 5));
    // When the model is reloaded meanwhile
    const reload = await post(`${svc.url}/reload`, { model: 'org/dummy-b' });
    // Then both succeed, the running request finishes on the model it started with
    expect(reload.res.status).toBe(200);
    expect(reload.json.model).toMatchObject({ model: 'org/dummy-b', dimension: 30522 });
    const done = await inflight;
    expect(done.res.status).toBe(200);
    expect(done.json.embeddings).toHaveLength(12);
    expect(done.json.model).toBe('vespa-dummy-mlm');
    // and new requests use the new one, while the old one is released
    const after = await post(`${svc.url}/embed`, { texts: ['x'] });
    expect(after.json.model).toBe('org/dummy-b');
    const h = (await (await fetch(`${svc.url}/health`)).json()) as Record<string, unknown>;
    expect(h).toMatchObject({ model: 'org/dummy-b', reloads: 1, retiring_models: 0 });
  });

  it('a reload to a missing model answers 404 and keeps serving the current one', async () => {
    const r = await post(`${svc.url}/reload`, { model: 'no-such-model' });
    expect(r.res.status).toBe(404);
    expect(r.json.error.code).toBe('model_not_found');
    const e = await post(`${svc.url}/embed`, { texts: ['still here'] });
    expect(e.res.status).toBe(200);
    expect(e.json.model).toBe('org/dummy-b');
  });

  it('reload can switch backend: hashing (384) to onnx (30522) and back', async () => {
    const toHashing = await post(`${svc.url}/reload`, {
      backend: 'hashing',
      model: 'BAAI/bge-small-en-v1.5',
    });
    expect(toHashing.json.model).toMatchObject({ backend: 'hashing', dimension: 384 });
    const toOnnx = await post(`${svc.url}/reload`, { backend: 'onnx', model: 'vespa-dummy-mlm' });
    expect(toOnnx.json.model).toMatchObject({ backend: 'onnx', dimension: 30522 });
  });
});

describe('pooling choice', () => {
  it("reads sentence-transformers' 1_Pooling config, else cls for bge, else mean; env wins", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aisuite-pool-'));
    try {
      expect(choosePooling(dir, 'BAAI/bge-small-en-v1.5')).toBe('cls');
      expect(choosePooling(dir, 'vespa-dummy-mlm')).toBe('mean');
      mkdirSync(path.join(dir, '1_Pooling'));
      writeFileSync(path.join(dir, '1_Pooling', 'config.json'), '{"pooling_mode_cls_token": true}');
      expect(choosePooling(dir, 'some-model')).toBe('cls');
      expect(choosePooling(dir, 'some-model', 'mean')).toBe('mean');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
