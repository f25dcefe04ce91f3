/**
 * The metric catalog against what the package services really register: every catalogued name of a
 * package service is registered by its prom-client registry, and every name the registry registers
 * (apart from prom-client's own default metrics) is catalogued.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  METRIC_CATALOG,
  lookupMetric,
  type MetricSource,
} from '../../../../src/lib/render/monitoring/metric-catalog.js';
import { createServiceRegistry } from '../../../../src/services/kit/index.js';
import { createEmbeddingMetrics } from '../../../../src/services/embedding/metrics.js';
import { createGatewayMetrics } from '../../../../src/services/gateway/metrics.js';
import { createMcpMetrics } from '../../../../src/services/mcp-server/metrics.js';
import { createMockInferenceMetrics } from '../../../../src/services/mock-inference/metrics.js';
import { createRagMetrics } from '../../../../src/services/rag/metrics.js';

async function registered(register: (registry: Registry) => unknown): Promise<Map<string, string>> {
  const registry = new Registry();
  register(registry);
  const metrics = await registry.getMetricsAsJSON();
  return new Map(metrics.map((m) => [m.name, String(m.type)]));
}

function catalogued(source: MetricSource): Map<string, string> {
  return new Map(METRIC_CATALOG.filter((m) => m.source === source).map((m) => [m.name, m.type]));
}

const SERVICES: { source: MetricSource; register: (registry: Registry) => unknown }[] = [
  { source: 'api-gateway', register: (registry) => createGatewayMetrics(registry) },
  { source: 'embedding', register: createEmbeddingMetrics },
  { source: 'rag', register: createRagMetrics },
  { source: 'mcp-server', register: createMcpMetrics },
  { source: 'inference', register: createMockInferenceMetrics },
];

describe.each(SERVICES)('$source', ({ source, register }) => {
  it('registers exactly the catalogued names, with the catalogued types', async () => {
    expect(await registered(register)).toEqual(catalogued(source));
  });
});

describe('the service kit', () => {
  it('registers every catalogued kit metric with its type', async () => {
    const { registry } = createServiceRegistry();
    const real = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    for (const [name, type] of catalogued('kit')) expect(real.get(name), name).toBe(type);
  });
});

describe('the catalog', () => {
  it('has each name once and resolves histogram series to their base metric', () => {
    const names = METRIC_CATALOG.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(lookupMetric('http_request_duration_seconds_bucket')?.name).toBe('http_request_duration_seconds');
    expect(lookupMetric('http_requests_total_bucket')).toBeUndefined();
    expect(lookupMetric('no_such_metric')).toBeUndefined();
  });
});
