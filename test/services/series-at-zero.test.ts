/**
 * Labelled counters that alerts read through increase() start at zero for every label value the
 * service knows (the gateway: the label values its configured routes can produce; mcp-server: its
 * tools): Prometheus sees no increase in a series whose first sample already counts. A real
 * Prometheus sees the difference in e2e/phase3-monitoring.test.ts.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createEmbeddingMetrics } from '../../src/services/embedding/metrics.js';
import { loadGatewayConfig } from '../../src/services/gateway/config.js';
import { createGatewayMetrics, initialiseSeries } from '../../src/services/gateway/metrics.js';
import { CALL_STATUSES, CHECKED, createMcpMetrics } from '../../src/services/mcp-server/metrics.js';
import { TOOL_NAMES } from '../../src/services/mcp-server/permissions.js';
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

  it('mcp-server: a permission check series per tool and admin permission, and per-tool call outcomes', async () => {
    // a burst of denied calls to one tool is what the RBAC alert counts through increase()
    const checks = await series(createMcpMetrics, 'rbac_permission_checks_total');
    expect(checks).toHaveLength(CHECKED.length * 2);
    for (const tool of ['rag_delete_collection', 'approvals:review', 'rbac:admin'])
      expect(checks).toContain(`rbac_permission_checks_total{result="denied",tool="${tool}"} 0`);
    expect(await series(createMcpMetrics, 'mcp_tool_calls_total')).toHaveLength(
      TOOL_NAMES.length * CALL_STATUSES.length,
    );
    expect(await series(createMcpMetrics, 'mcp_rate_limited_total')).toHaveLength(TOOL_NAMES.length);
    expect(await series(createMcpMetrics, 'mcp_auth_failures_total')).toEqual([
      'mcp_auth_failures_total{reason="invalid"} 0',
      'mcp_auth_failures_total{reason="missing"} 0',
    ]);
  });

  it('gateway: every series a configured route can produce', async () => {
    const cfg = loadGatewayConfig({ GATEWAY_API_KEY: 'k', ROUTER_FALLBACKS: '[{"chat": ["code"]}]' }).router;
    const gateway = (r: Registry) => initialiseSeries(createGatewayMetrics(r), ['chat', 'code'], cfg);
    // a fallback only where the configuration has one, a cooldown for every backend
    expect(await series(gateway, 'gateway_fallbacks_total')).toEqual([
      'gateway_fallbacks_total{from="chat",to="code"} 0',
    ]);
    expect(await series(gateway, 'gateway_cooldowns_total')).toEqual([
      'gateway_cooldowns_total{backend="chat"} 0',
      'gateway_cooldowns_total{backend="code"} 0',
    ]);
    // TTFT by group and the backends that may serve it (code serves chat after a fallback)
    expect(await series(gateway, 'gateway_time_to_first_token_seconds_count')).toEqual([
      'gateway_time_to_first_token_seconds_count{model_group="chat",backend="chat"} 0',
      'gateway_time_to_first_token_seconds_count{model_group="chat",backend="code"} 0',
      'gateway_time_to_first_token_seconds_count{model_group="code",backend="code"} 0',
    ]);
    // and every value is zero: nothing was counted
    const registry = new Registry();
    gateway(registry);
    expect(
      (await registry.metrics())
        .split('\n')
        .filter((l) => /^gateway_\w+(_count|_total)\{/.test(l) && !l.endsWith(' 0')),
    ).toEqual([]);
  });
});
