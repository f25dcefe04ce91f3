import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/**
 * The embedding service's metrics, after text-embeddings-inference's (`te_*`), under the names the
 * suite's dashboards and alerts use.
 */
export function createEmbeddingMetrics(registry: Registry) {
  const registers = [registry];
  const metrics = {
    requests: new Counter({
      name: 'embedding_requests_total',
      help: 'Embedding requests by outcome (success, error).',
      labelNames: ['status'] as const,
      registers,
    }),
    failures: new Counter({
      name: 'embedding_request_failures_total',
      help: 'Failed embedding requests by error type (validation, backend, overloaded, ...).',
      labelNames: ['error_type'] as const,
      registers,
    }),
    queueSize: new Gauge({
      name: 'embedding_queue_size',
      help: 'Requests waiting for the model.',
      registers,
    }),
    queueDuration: new Histogram({
      name: 'embedding_queue_duration_seconds',
      help: 'Time a request waited for the model.',
      buckets: SECONDS,
      registers,
    }),
    tokenizationDuration: new Histogram({
      name: 'embedding_tokenization_duration_seconds',
      help: 'Time spent tokenising one batch.',
      buckets: SECONDS,
      registers,
    }),
    inferenceDuration: new Histogram({
      name: 'embedding_inference_duration_seconds',
      help: 'Time spent in the model (and pooling) for one batch.',
      buckets: SECONDS,
      registers,
    }),
    batchSize: new Histogram({
      name: 'embedding_batch_size',
      help: 'Texts per model call.',
      buckets: BATCH,
      registers,
    }),
    truncations: new Counter({
      name: 'embedding_truncations_total',
      help: 'Truncations: kind=texts counts texts dropped over MAX_TEXTS, kind=chars texts cut to MAX_CHARS.',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
  // at zero from the start: a first request over the limits adds hundreds at once, which the
  // EmbeddingTruncations alert's increase() would not see in a series that begins there
  for (const kind of ['texts', 'chars'] as const) metrics.truncations.inc({ kind }, 0);
  return metrics;
}

export type EmbeddingMetrics = ReturnType<typeof createEmbeddingMetrics>;
