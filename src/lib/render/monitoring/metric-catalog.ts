/**
 * Every metric name the rendered rules and dashboards may use, with who exports it. A test parses each
 * PromQL expression and fails on a name missing here; another compares the package services' entries
 * with what their prom-client registries really register.
 */
export type MetricSource =
  /** Every package service through the service kit (HTTP RED metrics and prom-client defaults). */
  | 'kit'
  | 'api-gateway'
  /** inference-chat and inference-code: llama.cpp's server with --metrics, or mock-inference. */
  | 'inference'
  | 'embedding'
  | 'rag'
  | 'mcp-server'
  | 'node-exporter'
  | 'cadvisor'
  | 'postgres-exporter'
  /** Series Prometheus itself writes for every target (`up`, `scrape_*`) and its own metrics. */
  | 'prometheus'
  | 'alertmanager';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricInfo {
  readonly name: string;
  readonly type: MetricType;
  readonly source: MetricSource;
}

const m = (source: MetricSource, type: MetricType, names: readonly string[]): MetricInfo[] =>
  names.map((name) => ({ name, type, source }));

export const METRIC_CATALOG: readonly MetricInfo[] = [
  ...m('kit', 'counter', ['http_requests_total', 'process_cpu_seconds_total']),
  ...m('kit', 'histogram', ['http_request_duration_seconds']),
  ...m('kit', 'gauge', [
    'process_resident_memory_bytes',
    'process_start_time_seconds',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_p99_seconds',
  ]),
  ...m('api-gateway', 'counter', [
    'gateway_requests_total',
    'gateway_request_failures_total',
    'gateway_fallbacks_total',
    'gateway_cooldowns_total',
    'gateway_retries_total',
  ]),
  ...m('api-gateway', 'histogram', [
    'gateway_request_duration_seconds',
    'gateway_upstream_duration_seconds',
    'gateway_overhead_seconds',
    'gateway_time_to_first_token_seconds',
  ]),
  ...m('api-gateway', 'gauge', ['gateway_backend_state']),
  ...m('inference', 'counter', [
    'llamacpp:prompt_tokens_total',
    'llamacpp:tokens_predicted_total',
    'llamacpp:prompt_seconds_total',
    'llamacpp:tokens_predicted_seconds_total',
    'llamacpp:n_decode_total',
  ]),
  ...m('inference', 'gauge', [
    'llamacpp:requests_processing',
    'llamacpp:requests_deferred',
    'llamacpp:prompt_tokens_seconds',
    'llamacpp:predicted_tokens_seconds',
  ]),
  ...m('embedding', 'counter', [
    'embedding_requests_total',
    'embedding_request_failures_total',
    'embedding_truncations_total',
  ]),
  ...m('embedding', 'gauge', ['embedding_queue_size']),
  ...m('embedding', 'histogram', [
    'embedding_queue_duration_seconds',
    'embedding_tokenization_duration_seconds',
    'embedding_inference_duration_seconds',
    'embedding_batch_size',
  ]),
  ...m('rag', 'counter', ['rag_requests_total', 'rag_chunks_stored_total', 'rag_dependency_errors_total']),
  ...m('rag', 'histogram', ['rag_index_duration_seconds', 'rag_query_duration_seconds']),
  ...m('mcp-server', 'counter', [
    'rbac_permission_checks_total',
    'mcp_tool_calls_total',
    'mcp_approvals_total',
    'mcp_rate_limited_total',
    'mcp_auth_failures_total',
  ]),
  ...m('mcp-server', 'histogram', ['mcp_tool_duration_seconds']),
  ...m('mcp-server', 'gauge', ['mcp_approvals_pending']),
  ...m('node-exporter', 'gauge', [
    'node_filesystem_avail_bytes',
    'node_filesystem_size_bytes',
    'node_memory_MemAvailable_bytes',
    'node_memory_MemTotal_bytes',
    'node_load1',
  ]),
  ...m('node-exporter', 'counter', ['node_cpu_seconds_total']),
  ...m('cadvisor', 'counter', ['container_cpu_usage_seconds_total']),
  ...m('cadvisor', 'gauge', [
    'container_memory_working_set_bytes',
    'container_last_seen',
    'container_start_time_seconds',
  ]),
  ...m('postgres-exporter', 'gauge', [
    'pg_up',
    'pg_stat_activity_count',
    'pg_settings_max_connections',
    'pg_database_size_bytes',
  ]),
  ...m('prometheus', 'gauge', ['up', 'scrape_samples_scraped', 'scrape_duration_seconds']),
  ...m('prometheus', 'counter', [
    'prometheus_target_scrapes_exceeded_sample_limit_total',
    'prometheus_notifications_dropped_total',
    'prometheus_rule_evaluation_failures_total',
  ]),
  ...m('alertmanager', 'counter', [
    'alertmanager_notifications_failed_total',
    'alertmanager_notifications_total',
  ]),
];

const BY_NAME = new Map(METRIC_CATALOG.map((info) => [info.name, info]));
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/** The catalog entry for a series name as it appears in PromQL (histogram suffixes resolve to their base). */
export function lookupMetric(series: string): MetricInfo | undefined {
  const direct = BY_NAME.get(series);
  if (direct) return direct;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!series.endsWith(suffix)) continue;
    const base = BY_NAME.get(series.slice(0, -suffix.length));
    if (base?.type === 'histogram') return base;
  }
  return undefined;
}
