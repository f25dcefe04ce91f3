/** HTTP API of rag: POST /index, POST /query, GET /collections, DELETE /collections/:name. */
import { HttpError, type Service } from '../kit/index.js';
import type { RagConfig } from './config.js';
import { chunkText } from './chunker.js';
import type { EmbeddingClient, GatewayClient } from './dependencies.js';
import { classify } from './errors.js';
import type { RagMetrics } from './metrics.js';
import { MAX_VECTOR_DIMENSION, spaceMismatch, type RagStore } from './store.js';
import { collectionName, parseIndexRequest, parseQueryRequest } from './validate.js';

export interface RagDeps {
  cfg: RagConfig;
  metrics: RagMetrics;
  embedding: EmbeddingClient;
  gateway: GatewayClient;
  /** Undefined until migrations have run (routes answer 503 meanwhile). */
  store(): RagStore | undefined;
}

/** Durations of named steps, rendered as a Server-Timing header (`embed;dur=0.812, search;dur=1.503`). */
export class ServerTiming {
  private readonly entries: Array<[string, number]> = [];
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.entries.push([name, performance.now() - t0]);
    }
  }
  header(): string {
    return this.entries.map(([n, ms]) => `${n};dur=${ms.toFixed(3)}`).join(', ');
  }
  /** The [name, ms] pairs of a header written by `header()`. */
  static parse(header: string): Array<[string, number]> {
    return header
      .split(', ')
      .filter(Boolean)
      .map((e) => {
        const [name, ms] = e.split(';dur=');
        return [name ?? '', Number(ms)];
      });
  }
}

export function registerRagRoutes(svc: Service, deps: RagDeps): void {
  const { cfg, metrics } = deps;

  const store = (): RagStore => {
    const s = deps.store();
    if (!s) {
      throw new HttpError(503, 'rag is starting (database migrations pending)', {
        code: 'starting',
        headers: { 'retry-after': '2' },
      });
    }
    return s;
  };

  /** Runs an operation with its request counter, duration histogram and error mapping. */
  async function measured<T>(operation: 'index' | 'query', fn: () => Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint();
    const histogram = operation === 'index' ? metrics.indexDuration : metrics.queryDuration;
    try {
      const r = await fn();
      metrics.requests.inc({ operation, status: 'success' });
      return r;
    } catch (e) {
      const c = classify(e);
      metrics.requests.inc({ operation, status: c.outcome });
      if (c.dependency) metrics.dependencyErrors.inc({ dependency: c.dependency });
      if (c.outcome === 'unavailable')
        svc.log.warn({ operation, err: (e as Error).message }, 'dependency unavailable');
      throw c.error;
    } finally {
      histogram.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }

  svc.app.post('/index', async (req) =>
    measured('index', async () => {
      const body = parseIndexRequest(req.body, cfg);
      const s = store();
      const docs = body.documents.map((d) => ({
        ...d,
        pieces: chunkText(d.text, cfg.CHUNK_SIZE, cfg.CHUNK_OVERLAP),
      }));
      const texts = docs.flatMap((d) => d.pieces);
      // Embed everything before touching the database: an embedding outage stores nothing.
      const emb = await deps.embedding.embed(texts);
      if (emb.dimension > MAX_VECTOR_DIMENSION) {
        throw new HttpError(
          422,
          `the embedding model ${emb.model} returns ${emb.dimension}-dimensional vectors; pgvector stores at most ${MAX_VECTOR_DIMENSION}`,
          { code: 'dimension_unsupported' },
        );
      }
      let at = 0;
      const toStore = docs.map((d) => ({
        docId: d.id,
        metadata: d.metadata,
        chunks: d.pieces.map((text) => ({ text, vector: emb.vectors[at++] as number[] })),
      }));
      const r = await s.upsert(body.collection, emb, toStore);
      metrics.chunksStored.inc(r.chunks);
      return {
        collection: body.collection,
        documents: r.documents,
        chunks: r.chunks,
        replaced_documents: r.replaced,
        created_collection: r.created,
        embedding: { model: emb.model, backend: emb.backend ?? null, dimension: emb.dimension },
      };
    }),
  );

  svc.app.post('/query', async (req, reply) =>
    measured('query', async () => {
      const q = parseQueryRequest(req.body, cfg);
      const s = store();
      // Where the time went, as a Server-Timing header (browsers' devtools and curl -i show it).
      const timing = new ServerTiming();
      // Embed first and search by name in one statement: the common case costs one round trip to
      // Postgres; only an empty result is followed by a look at the collection itself.
      const emb = await timing.time('embed', () => deps.embedding.embed([q.query]));
      const vector = emb.vectors[0] as number[];
      // A zero vector (the hashing backend on a query of stop words only) has no cosine distance.
      const searchable = vector.some((x) => x !== 0);
      const chunks = searchable
        ? await timing.time('search', () => s.search(q.collection, vector, q.top_k, emb))
        : [];
      if (chunks.length === 0) {
        const col = await s.collection(q.collection);
        if (!col) {
          throw new HttpError(404, `collection "${q.collection}" does not exist`, {
            code: 'collection_not_found',
            param: 'collection',
          });
        }
        const mismatch = spaceMismatch(col, { ...emb, dimension: vector.length });
        if (mismatch) throw mismatch;
      }
      let answer: string | null = null;
      let answerError: { reason: string; message: string } | null = null;
      let answerModel: string | null = null;
      if (!q.answer) answerError = { reason: 'not_requested', message: 'answer: false in the request' };
      else if (chunks.length === 0) {
        const why = searchable ? 'the collection has no chunks' : 'the query has no searchable words';
        answerError = { reason: 'no_context', message: why };
      } else {
        const a = await timing.time('answer', () => deps.gateway.answer(q.query, chunks));
        if (a.answer === null) {
          metrics.dependencyErrors.inc({ dependency: 'gateway' });
          svc.log.warn({ reason: a.reason, err: a.message }, 'answer unavailable; returning chunks only');
          answerError = { reason: a.reason, message: a.message };
        } else {
          answer = a.answer;
          answerModel = a.model;
        }
      }
      void reply.header('server-timing', timing.header());
      return {
        collection: q.collection,
        query: q.query,
        top_k: q.top_k,
        chunks,
        answer,
        answer_model: answerModel,
        answer_error: answerError,
        embedding: { model: emb.model, backend: emb.backend ?? null, dimension: emb.dimension },
      };
    }),
  );

  svc.app.get('/collections', async () => {
    try {
      return { collections: await store().list() };
    } catch (e) {
      throw classify(e).error;
    }
  });

  svc.app.delete<{ Params: { name: string } }>('/collections/:name', async (req) => {
    const name = collectionName(req.params.name, 'name');
    let r: { documents: number; chunks: number } | undefined;
    try {
      r = await store().drop(name);
    } catch (e) {
      throw classify(e).error;
    }
    if (!r) throw new HttpError(404, `collection "${name}" does not exist`, { code: 'collection_not_found' });
    svc.log.info({ collection: name, ...r }, 'collection deleted');
    return { deleted: true, collection: name, ...r };
  });
}
