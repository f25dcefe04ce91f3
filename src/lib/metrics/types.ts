/** Version of the `aisuite metrics --json` document (documented in docs/RELEASES.md). */
export const METRICS_SCHEMA = 'aisuite.metrics/v1';

export type ResourceSource = 'cadvisor' | 'process';

export interface InferenceMetrics {
  /** Generated tokens per second over the window (llama.cpp `tokens_predicted_total`). */
  readonly tokensPerSecond: number | null;
  /** Time to first token of streamed requests through the gateway to this backend. */
  readonly ttftP50Seconds: number | null;
  readonly ttftP95Seconds: number | null;
}

export interface GatewayBackend {
  readonly backend: string;
  /** 0 healthy, 1 degraded, 2 down (gateway_backend_state). */
  readonly state: number;
  readonly stateName: 'healthy' | 'degraded' | 'down' | 'unknown';
}

export interface GatewayMetrics {
  readonly fallbacks: readonly { readonly from: string; readonly to: string; readonly count: number }[];
  readonly backends: readonly GatewayBackend[];
}

/** One service's numbers; null means Prometheus has no data for it (not exported, no traffic, no cAdvisor). */
export interface ServiceMetrics {
  readonly service: string;
  /** 1 every target of the job is scraped, 0 some target is down, null not scraped. */
  readonly up: number | null;
  readonly requestsPerSecond: number | null;
  /** 5xx share of requests (probe routes excluded); null without requests. */
  readonly errorRatio: number | null;
  readonly latencyP50Seconds: number | null;
  readonly latencyP95Seconds: number | null;
  /** Container (cAdvisor) or process start-time changes within the window. */
  readonly restarts: number | null;
  readonly cpuCores: number | null;
  readonly memoryBytes: number | null;
  /** Where restarts, CPU and memory came from: cAdvisor (container) or the service's own process metrics. */
  readonly resourceSource: ResourceSource | null;
  /** Prometheus has this service's target but has not scraped it yet (within a scrape interval of `up`). */
  readonly notScrapedYet?: true;
  readonly inference?: InferenceMetrics;
  readonly gateway?: GatewayMetrics;
  /** Alert thresholds this row breaches (the same numbers as the rendered alert rules). */
  readonly breaches: readonly string[];
}

export interface MetricsAlert {
  readonly name: string;
  readonly severity: string;
  readonly service: string | null;
  readonly summary: string | null;
  readonly activeAt: string | null;
}

export interface MetricsSnapshot {
  readonly schema: typeof METRICS_SCHEMA;
  readonly prometheusUrl: string;
  readonly time: string;
  /** The PromQL range of rates and quantiles, e.g. `15m`. */
  readonly window: string;
  readonly services: readonly ServiceMetrics[];
  readonly alerts: readonly MetricsAlert[];
}
