/**
 * HTTP API: TEI's `POST /embed` (texts or inputs), OpenAI's `POST /v1/embeddings` and
 * `POST /reload`. Truncation is reported in the body, in headers and in metrics.
 */
import type { FastifyReply } from 'fastify';
import { HttpError, type Service } from '../kit/index.js';
import type { Embedder } from './backend.js';
import { BACKENDS, type BackendName } from './config.js';
import { prepareTexts, readTexts, type Limits, type PreparedTexts } from './inputs.js';
import type { EmbeddingMetrics } from './metrics.js';
import type { ModelHolder } from './model-holder.js';
import { MODEL_NAME, ModelLoadError } from './onnx.js';
import { QueueFullError, type EmbedQueue, type EmbedResult } from './queue.js';

export const TRUNCATED_TEXTS_HEADER = 'x-embedding-truncated-texts';
export const TRUNCATED_CHARS_HEADER = 'x-embedding-truncated-chars';

export interface RouteDeps {
  limits: Limits;
  metrics: EmbeddingMetrics;
  /** Set once the first model has loaded (routes exist before that and answer 503). */
  loaded(): { queue: EmbedQueue; holder: ModelHolder } | undefined;
  load(backend: BackendName, model: string): Promise<Embedder>;
}

function need(deps: RouteDeps): { queue: EmbedQueue; holder: ModelHolder } {
  const l = deps.loaded();
  if (!l)
    throw new HttpError(503, 'the model is loading', {
      code: 'model_loading',
      headers: { 'retry-after': '2' },
    });
  return l;
}

function body(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HttpError(400, 'the request body must be a JSON object', { code: 'invalid_request' });
  }
  return raw as Record<string, unknown>;
}

function errorType(e: unknown): string {
  if (e instanceof QueueFullError) return 'overloaded';
  if (e instanceof HttpError && e.statusCode < 500) return 'validation';
  return 'backend';
}

export function registerEmbeddingRoutes(svc: Service, deps: RouteDeps): void {
  const { limits, metrics } = deps;

  /** Runs one embedding request with the request/failure/truncation metrics around it. */
  const embed = async (texts: string[], reply: FastifyReply): Promise<EmbedResult & PreparedTexts> => {
    try {
      const { queue, holder } = need(deps);
      const prepared = prepareTexts(texts, limits);
      if (prepared.droppedTexts > 0) metrics.truncations.inc({ kind: 'texts' }, prepared.droppedTexts);
      if (prepared.cutTexts > 0) metrics.truncations.inc({ kind: 'chars' }, prepared.cutTexts);
      void reply.header(TRUNCATED_TEXTS_HEADER, String(prepared.droppedTexts));
      void reply.header(TRUNCATED_CHARS_HEADER, String(prepared.cutTexts));
      const info = holder.embedder.info;
      const result =
        prepared.texts.length === 0
          ? { vectors: [], model: info.model, backend: info.backend, dimension: info.dimension }
          : await queue.embed(prepared.texts);
      metrics.requests.inc({ status: 'success' });
      return { ...prepared, ...result };
    } catch (e) {
      metrics.requests.inc({ status: 'error' });
      metrics.failures.inc({ error_type: errorType(e) });
      if (e instanceof QueueFullError) {
        throw new HttpError(503, e.message, { code: 'overloaded', headers: { 'retry-after': '1' } });
      }
      throw e;
    }
  };

  const counted = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      metrics.requests.inc({ status: 'error' });
      metrics.failures.inc({ error_type: errorType(e) });
      throw e;
    }
  };

  svc.app.post('/embed', async (req, reply) => {
    const texts = counted(() => {
      const b = body(req.body);
      const has = (k: string): boolean => b[k] !== undefined;
      if (has('texts') === has('inputs')) {
        throw new HttpError(
          400,
          "send exactly one of 'texts' or 'inputs' (a string or an array of strings)",
          {
            code: 'invalid_request',
            param: 'texts',
          },
        );
      }
      return has('texts') ? readTexts(b.texts, 'texts') : readTexts(b.inputs, 'inputs');
    });
    const r = await embed(texts, reply);
    return {
      embeddings: r.vectors,
      model: r.model,
      backend: r.backend,
      dimension: r.dimension,
      truncated: { texts: r.droppedTexts, chars: r.cutTexts },
    };
  });

  svc.app.post('/v1/embeddings', async (req, reply) => {
    const { texts, format } = counted(() => {
      const b = body(req.body);
      if (b.input === undefined) {
        throw new HttpError(400, "'input' is required", { code: 'invalid_request', param: 'input' });
      }
      const f = b.encoding_format ?? 'float';
      if (f !== 'float' && f !== 'base64') {
        throw new HttpError(400, "'encoding_format' must be 'float' or 'base64'", {
          code: 'invalid_request',
          param: 'encoding_format',
        });
      }
      return { texts: readTexts(b.input, 'input'), format: f };
    });
    const r = await embed(texts, reply);
    const tokens = r.texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    return {
      object: 'list',
      // The official client asks for base64 by default: little-endian float32, as OpenAI sends it.
      data: r.vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: format === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
      })),
      model: r.model,
      // not in OpenAI's answer: which backend made the vectors (the hashing backend's model name is
      // only a label, so the name alone does not tell its vectors from the real model's)
      backend: r.backend,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
      truncated: { texts: r.droppedTexts, chars: r.cutTexts },
    };
  });

  svc.app.post('/reload', async (req) => {
    const b = body(req.body);
    const { holder } = need(deps);
    const current = holder.embedder.info;
    const model = b.model ?? current.model;
    const backend = b.backend ?? current.backend;
    if (typeof model !== 'string' || !MODEL_NAME.test(model)) {
      throw new HttpError(400, "'model' must be a model name such as BAAI/bge-small-en-v1.5", {
        code: 'invalid_request',
        param: 'model',
      });
    }
    if (typeof backend !== 'string' || !(BACKENDS as readonly string[]).includes(backend)) {
      throw new HttpError(400, `'backend' must be one of ${BACKENDS.join(', ')}`, {
        code: 'invalid_request',
        param: 'backend',
      });
    }
    const previous = { model: current.model, backend: current.backend, dimension: current.dimension };
    try {
      const next = await holder.reload(model, () => deps.load(backend as BackendName, model));
      svc.log.info({ previous, model: next.info }, 'model reloaded');
      return { status: 'reloaded', previous, model: next.info };
    } catch (e) {
      if (e instanceof ModelLoadError) {
        const status = e.code === 'model_not_found' ? 404 : e.code === 'backend_not_installed' ? 501 : 500;
        throw new HttpError(status, `${e.message}; still serving ${current.model}`, { code: e.code });
      }
      throw e;
    }
  });
}
