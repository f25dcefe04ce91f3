import { Counter, Histogram, type Registry } from 'prom-client';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** What rag calls, as `rag_dependency_errors_total` labels them. */
export const DEPENDENCIES = ['postgres', 'embedding', 'gateway'] as const;

/** The rag service's metrics, under the names the suite's dashboards and alerts use. */
export function createRagMetrics(registry: Registry) {
  const registers = [registry];
  const metrics = {
    requests: new Counter({
      name: 'rag_requests_total',
      help: 'Index and query requests by outcome (success, client_error, unavailable, error).',
      labelNames: ['operation', 'status'] as const,
      registers,
    }),
    indexDuration: new Histogram({
      name: 'rag_index_duration_seconds',
      help: 'Duration of /index requests (chunking, embedding, storing).',
      buckets: SECONDS,
      registers,
    }),
    queryDuration: new Histogram({
      name: 'rag_query_duration_seconds',
      help: 'Duration of /query requests (embedding, search, answer).',
      buckets: SECONDS,
      registers,
    }),
    chunksStored: new Counter({
      name: 'rag_chunks_stored_total',
      help: 'Chunks written to Postgres.',
      registers,
    }),
    dependencyErrors: new Counter({
      name: 'rag_dependency_errors_total',
      help: 'Failed calls to a dependency (postgres, embedding, gateway).',
      labelNames: ['dependency'] as const,
      registers,
    }),
  };
  // at zero from the start: the RagDependencyErrors alert reads increase(), which cannot see a
  // series whose first sample already counts (the first error of each dependency went unseen)
  for (const dependency of DEPENDENCIES) metrics.dependencyErrors.inc({ dependency }, 0);
  return metrics;
}

export type RagMetrics = ReturnType<typeof createRagMetrics>;
