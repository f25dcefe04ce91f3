import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RouterConfig } from './config.js';
import { fallbackChain } from './routing.js';

const LATENCY = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

/** Backend state as the gauge reports it. */
export const BACKEND_STATE = { healthy: 0, degraded: 1, down: 2 } as const;

/**
 * Registers the api-gateway's metrics on `registry` (names are a contract with the dashboards and
 * alerts). `backendStates` is read at scrape time for `gateway_backend_state`.
 */
export function createGatewayMetrics(
  registry: Registry,
  backendStates: () => Iterable<[string, number]> = () => [],
) {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'gateway_requests_total',
      help: 'Requests answered, by model group, serving backend (none if no backend served) and HTTP status',
      labelNames: ['model_group', 'backend', 'status'],
      registers,
    }),
    failures: new Counter({
      name: 'gateway_request_failures_total',
      help: 'Failed upstream attempts and rejected requests, by model group, backend and reason',
      labelNames: ['model_group', 'backend', 'reason'],
      registers,
    }),
    duration: new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Total time from request arrival to the end of the response (streams included)',
      labelNames: ['model_group'],
      buckets: LATENCY,
      registers,
    }),
    upstream: new Histogram({
      name: 'gateway_upstream_duration_seconds',
      help: 'Time of each upstream attempt, from dispatch to the end of the upstream body',
      labelNames: ['backend'],
      buckets: LATENCY,
      registers,
    }),
    overhead: new Histogram({
      name: 'gateway_overhead_seconds',
      help: "The gateway's own time: total time minus time spent in upstream attempts",
      labelNames: ['model_group'],
      buckets: OVERHEAD,
      registers,
    }),
    ttft: new Histogram({
      name: 'gateway_time_to_first_token_seconds',
      help: 'Streamed requests: time from arrival to the first event sent to the client',
      labelNames: ['model_group', 'backend'],
      buckets: LATENCY,
      registers,
    }),
    backendState: new Gauge({
      name: 'gateway_backend_state',
      help: 'Backend state: 0 healthy, 1 degraded (recent failures), 2 down (failed health check, loading or cooling down)',
      labelNames: ['backend'],
      registers,
      collect() {
        for (const [backend, state] of backendStates()) this.set({ backend }, state);
      },
    }),
    fallbacks: new Counter({
      name: 'gateway_fallbacks_total',
      help: 'Moves from one model group to its fallback, by from and to',
      labelNames: ['from', 'to'],
      registers,
    }),
    cooldowns: new Counter({
      name: 'gateway_cooldowns_total',
      help: 'Times a backend was put in cooldown after more than allowed_fails failures in a minute',
      labelNames: ['backend'],
      registers,
    }),
    retries: new Counter({
      name: 'gateway_retries_total',
      help: 'Retries of an upstream attempt on the same backend',
      labelNames: ['model_group', 'backend'],
      registers,
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

/**
 * Creates at zero every series the configured routes can produce in the metrics that alerts,
 * dashboards and `aisuite metrics` read through rate() or increase(). Prometheus sees no increase in a
 * series whose first sample already counts, so without this the first cooldown of a backend (the
 * GatewayBackendCoolingDown alert), the first fallback of a route and a quiet suite's first requests
 * (TTFT, latency) were never seen. Backends are named after their model group.
 */
export function initialiseSeries(metrics: GatewayMetrics, groups: Iterable<string>, cfg: RouterConfig): void {
  for (const group of groups) {
    metrics.cooldowns.inc({ backend: group }, 0);
    metrics.upstream.zero({ backend: group });
    metrics.duration.zero({ model_group: group });
    metrics.overhead.zero({ model_group: group });
    const chain = fallbackChain(group, cfg);
    chain.forEach((backend, i) => {
      metrics.ttft.zero({ model_group: group, backend });
      metrics.retries.inc({ model_group: group, backend }, 0);
      // an unavailable backend is skipped, so a move can go from any backend of the chain to a later one
      for (const to of chain.slice(i + 1)) metrics.fallbacks.inc({ from: backend, to }, 0);
    });
  }
}
