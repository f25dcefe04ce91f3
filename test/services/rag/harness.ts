/**
 * Real dependencies for the rag tests: PostgreSQL 17 + pgvector in Docker (the test bed's stand-in
 * image), and the embedding, mock-inference, api-gateway and rag services as child processes.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startPostgres, type StartedPostgres } from '../../support/postgres.js';
import { freePort, startServiceProcess, type ServiceProcess } from '../../support/service-process.js';

/** A parsed JSON body, read loosely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export const API_KEY = 'sk-rag-test-5b1f0c7e9d2a';

export interface Corpus {
  documents: Array<{ id: string; text: string; metadata: Record<string, unknown> }>;
  questions: Array<{ document_id: string; question: string }>;
}

export const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/rag-corpus/corpus.json', import.meta.url), 'utf8'),
) as Corpus;

export interface RagBed {
  postgres: StartedPostgres;
  db: pg.Pool;
  embedding: ServiceProcess;
  mock: ServiceProcess;
  gateway: ServiceProcess;
  /** Starts a rag process against this bed; `env` overrides (e.g. GATEWAY_URL). */
  startRag(env?: Record<string, string>): Promise<ServiceProcess>;
  /** Kills the embedding service; `restart` brings it back on the same port. */
  stopEmbedding(): Promise<void>;
  restartEmbedding(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRagBed(): Promise<RagBed> {
  const postgres = await startPostgres();
  const started: ServiceProcess[] = [];
  try {
    const embPort = await freePort();
    const embEnv = { EMBEDDING_BACKEND: 'hashing', LOG_LEVEL: 'warn' };
    let embedding = await startServiceProcess('embedding', { port: embPort, env: embEnv });
    started.push(embedding);
    const mock = await startServiceProcess('mock-inference', {
      env: { MODEL_NAME: 'mock-chat', LOG_LEVEL: 'warn' },
    });
    started.push(mock);
    const gateway = await startServiceProcess('api-gateway', {
      env: {
        GATEWAY_API_KEY: API_KEY,
        CHAT_BACKEND_URL: mock.url,
        CODE_BACKEND_URL: mock.url,
        EMBEDDING_URL: embedding.url,
        LOG_LEVEL: 'warn',
      },
    });
    started.push(gateway);
    const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
    const bed: RagBed = {
      postgres,
      db,
      get embedding() {
        return embedding;
      },
      mock,
      gateway,
      async startRag(env = {}) {
        const p = await startServiceProcess('rag', {
          timeoutMs: 60_000,
          env: {
            DATABASE_URL: postgres.url,
            EMBEDDING_URL: embedding.url,
            GATEWAY_URL: gateway.url,
            GATEWAY_API_KEY: API_KEY,
            LOG_LEVEL: 'info',
            ...env,
          },
        });
        started.push(p);
        return p;
      },
      async stopEmbedding() {
        await embedding.kill();
      },
      async restartEmbedding() {
        embedding = await startServiceProcess('embedding', { port: embPort, env: embEnv });
        started.push(embedding);
      },
      async stop() {
        await db.end().catch(() => undefined);
        await Promise.all(started.map((p) => p.kill()));
        await postgres.stop();
      },
    };
    return bed;
  } catch (e) {
    await Promise.all(started.map((p) => p.kill()));
    await postgres.stop();
    throw e;
  }
}

export async function post(
  url: string,
  body: unknown,
): Promise<{ status: number; headers: Headers; json: Json }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
}

/** One sample of a Prometheus metric (0 when absent). */
export async function metric(baseUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Polls until `fn` returns true (e.g. a background health check caught up). */
export async function eventually(fn: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`condition not met within ${timeoutMs}ms`);
}
