/**
 * Labelled counters that alerts read through increase() start at zero for every label value the
 * service knows: Prometheus sees no increase in a series whose first sample already counts. (The
 * gateway's, which depend on its routes, are in gateway/config.test.ts; a real Prometheus sees the
 * difference in e2e/phase3-monitoring.test.ts.)
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createEmbeddingMetrics } from '../../src/services/embedding/metrics.js';
import { createRagMetrics, DEPENDENCIES } from '../../src/services/rag/metrics.js';

async function series(create: (r: Registry) => unknown, name: string): Promise<string[]> {
  const registry = new Registry();
  create(registry);
  return (await registry.metrics())
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .sort();
}

describe('series at zero from the start', () => {
  it('rag: a dependency error series for each dependency', async () => {
    expect(await series(createRagMetrics, 'rag_dependency_errors_total')).toEqual(
      [...DEPENDENCIES].sort().map((d) => `rag_dependency_errors_total{dependency="${d}"} 0`),
    );
  });

  it('embedding: a truncation series for dropped texts and for cut texts', async () => {
    expect(await series(createEmbeddingMetrics, 'embedding_truncations_total')).toEqual([
      'embedding_truncations_total{kind="chars"} 0',
      'embedding_truncations_total{kind="texts"} 0',
    ]);
  });
});
