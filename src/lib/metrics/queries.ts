import { PROBE_ROUTES } from '../render/monitoring/selection.js';

/** Series labelled by cAdvisor with the suite's service label (only this suite's containers are kept). */
const CADVISOR = 'container_label_io_aisuite_service!=""';
const BY_CADVISOR = 'container_label_io_aisuite_service';
/** Probe and scrape routes say nothing about the service's traffic. */
const TRAFFIC = `route!~"${PROBE_ROUTES}"`;

/** Every PromQL query `aisuite metrics` sends, for a window such as `15m`. Names from metric-catalog.ts. */
export function metricQueries(window: string) {
  const w = `[${window}]`;
  return {
    up: 'min by (job) (up)',
    requests: `sum by (job) (rate(http_requests_total{${TRAFFIC}}${w}))`,
    errors: `sum by (job) (rate(http_requests_total{${TRAFFIC},status_code=~"5.."}${w}))`,
    p50: `histogram_quantile(0.5, sum by (job, le) (rate(http_request_duration_seconds_bucket{${TRAFFIC}}${w})))`,
    p95: `histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket{${TRAFFIC}}${w})))`,
    containerRestarts: `sum by (${BY_CADVISOR}) (changes(container_start_time_seconds{${CADVISOR}}${w}))`,
    containerCpu: `sum by (${BY_CADVISOR}) (rate(container_cpu_usage_seconds_total{${CADVISOR}}${w}))`,
    containerMemory: `sum by (${BY_CADVISOR}) (container_memory_working_set_bytes{${CADVISOR}})`,
    processRestarts: `max by (job) (changes(process_start_time_seconds${w}))`,
    processCpu: `sum by (job) (rate(process_cpu_seconds_total${w}))`,
    processMemory: `sum by (job) (process_resident_memory_bytes)`,
    tokens: `sum by (job) (rate({__name__="llamacpp:tokens_predicted_total"}${w}))`,
    ttftP50: `histogram_quantile(0.5, sum by (backend, le) (rate(gateway_time_to_first_token_seconds_bucket${w})))`,
    ttftP95: `histogram_quantile(0.95, sum by (backend, le) (rate(gateway_time_to_first_token_seconds_bucket${w})))`,
    fallbacks: `sum by (from, to) (increase(gateway_fallbacks_total${w}))`,
    backends: 'max by (backend) (gateway_backend_state)',
  } as const;
}

export type MetricQueryName = keyof ReturnType<typeof metricQueries>;

/** Gateway model groups (backend label) and the inference service behind each. */
export const BACKEND_SERVICE: Readonly<Record<string, string>> = {
  chat: 'inference-chat',
  code: 'inference-code',
};

/**
 * Alert thresholds, the same numbers as the rendered rules (src/lib/render/monitoring/alert-rules.ts):
 * APIGatewayHighErrorRate, APIGatewayHighLatency, ContainerRestarting, APIGatewayFallbacksRising.
 */
export const THRESHOLDS = {
  errorRatio: 0.1,
  latencyP95Seconds: 2,
  restarts: 2,
  fallbacks: 10,
} as const;

const DURATION = /^[1-9][0-9]*(ms|s|m|h|d|w|y)$/;

export function isPromDuration(value: string): boolean {
  return DURATION.test(value);
}
