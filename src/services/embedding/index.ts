/**
 * embedding: text embeddings after text-embeddings-inference (`POST /embed`) and OpenAI
 * (`POST /v1/embeddings`), with a hashing backend (CPU profile) and an ONNX backend (transformers.js
 * from a local models directory). See docs/services.md, "embedding".
 */
import { loadEnv, serviceFromEnv, type RunningService } from '../kit/index.js';
import type { Embedder } from './backend.js';
import { embeddingEnv, type BackendName, type EmbeddingConfig, type Pooling } from './config.js';
import { createHashingEmbedder } from './hashing.js';
import { createEmbeddingMetrics } from './metrics.js';
import { ModelHolder } from './model-holder.js';
import { EmbedQueue } from './queue.js';
import { registerEmbeddingRoutes } from './routes.js';

export { createEmbeddingMetrics } from './metrics.js';
export { embeddingEnv } from './config.js';

export const VERSION = '0.1.0';

/** Largest request body: MAX_TEXTS texts of MAX_CHARS characters fit with room for JSON escaping. */
function bodyLimit(cfg: EmbeddingConfig): number {
  return Math.max(1 << 20, Math.min(256 << 20, cfg.MAX_TEXTS * cfg.MAX_CHARS * 2));
}

function loader(cfg: EmbeddingConfig) {
  return async (backend: BackendName, model: string): Promise<Embedder> => {
    if (backend === 'hashing') return createHashingEmbedder(model, cfg.EMBEDDING_DIM);
    // Lazy: the ONNX runtime is loaded only by a service that uses it, never by the CLI.
    const { createOnnxEmbedder } = await import('./onnx.js');
    return createOnnxEmbedder({
      modelsDir: cfg.MODELS_DIR,
      model,
      pooling: cfg.EMBEDDING_POOLING as Pooling | undefined,
    });
  };
}

export async function start(environment: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const cfg = loadEnv(embeddingEnv, environment);
  // Filled once the first model has loaded; routes and /health exist (and answer) before that.
  const loaded: { holder?: ModelHolder; queue?: EmbedQueue } = {};
  const svc = serviceFromEnv(cfg, {
    name: 'embedding',
    version: VERSION,
    bodyLimit: bodyLimit(cfg),
    healthDetail: () => {
      const { holder, queue } = loaded;
      const info = holder?.embedder.info;
      return {
        model: info?.model ?? cfg.EMBEDDING_MODEL,
        backend: info?.backend ?? cfg.EMBEDDING_BACKEND,
        dimension: info?.dimension ?? null,
        semantic: info?.semantic ?? null,
        pooling: info?.pooling ?? null,
        description: info?.description ?? 'loading',
        max_texts: cfg.MAX_TEXTS,
        max_chars: cfg.MAX_CHARS,
        max_batch: cfg.MAX_BATCH,
        queue_size: queue?.size ?? 0,
        reloading: holder?.reloadingTo ?? null,
        reloads: holder?.reloads ?? 0,
        retiring_models: holder?.retiring ?? 0,
      };
    },
  });
  const metrics = createEmbeddingMetrics(svc.registry);
  const load = loader(cfg);
  registerEmbeddingRoutes(svc, {
    limits: { maxTexts: cfg.MAX_TEXTS, maxChars: cfg.MAX_CHARS },
    metrics,
    loaded: () =>
      loaded.holder && loaded.queue ? { holder: loaded.holder, queue: loaded.queue } : undefined,
    load,
  });
  const url = await svc.listen();
  svc.log.info({ backend: cfg.EMBEDDING_BACKEND, model: cfg.EMBEDDING_MODEL }, 'loading model');
  let first: Embedder;
  try {
    first = await load(cfg.EMBEDDING_BACKEND, cfg.EMBEDDING_MODEL);
  } catch (e) {
    svc.log.error({ err: (e as Error).message }, 'model load failed');
    await svc.close();
    throw e;
  }
  const holder = new ModelHolder(first, (old) =>
    svc.log.info({ model: old.info.model, backend: old.info.backend }, 'previous model released'),
  );
  loaded.holder = holder;
  loaded.queue = new EmbedQueue(holder, metrics, cfg.MAX_BATCH);
  svc.log.info({ model: first.info }, 'model loaded');
  svc.setReady('ready');
  return {
    url,
    close: async (signal) => {
      await svc.close(signal);
      await holder.close();
    },
  };
}
