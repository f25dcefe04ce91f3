import { compareStrings } from '../compare.js';
import { UserError } from '../errors.js';
import type { PrometheusClient, Sample } from './prometheus-client.js';
import {
  BACKEND_SERVICE,
  isPromDuration,
  metricQueries,
  THRESHOLDS,
  type MetricQueryName,
} from './queries.js';
import {
  METRICS_SCHEMA,
  type GatewayBackend,
  type MetricsSnapshot,
  type ResourceSource,
  type ServiceMetrics,
} from './types.js';

const INFERENCE = new Set(Object.values(BACKEND_SERVICE));
const STATE_NAMES = ['healthy', 'degraded', 'down'] as const;

function finite(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : value;
}

function byLabel(samples: readonly Sample[], label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const key = s.labels[label];
    if (key !== undefined && key !== '') out.set(key, s.value);
  }
  return out;
}

export interface CollectOptions {
  /** PromQL range for rates and quantiles, e.g. `15m`. */
  readonly window: string;
  /** Only these services (all scraped ones when empty). */
  readonly services?: readonly string[];
  readonly now?: Date;
}

/**
 * One snapshot of every service's RED numbers, resources, inference and gateway detail and the firing
 * alerts. Every query runs at the same evaluation time so the numbers belong together.
 */
export async function collectMetrics(
  client: PrometheusClient,
  options: CollectOptions,
): Promise<MetricsSnapshot> {
  if (!isPromDuration(options.window)) {
    throw new UserError(`--since ${JSON.stringify(options.window)} is not a Prometheus duration`, {
      hint: 'For example --since 5m, --since 1h.',
      code: 'INVALID_DURATION',
    });
  }
  const time = options.now ?? new Date();
  const queries = metricQueries(options.window);
  const names = Object.keys(queries) as MetricQueryName[];
  const [alerts, unscraped, ...results] = await Promise.all([
    client.firingAlerts(),
    client.unscrapedJobs(),
    ...names.map((name) => client.query(queries[name], time)),
  ]);
  const r = Object.fromEntries(names.map((name, i) => [name, results[i]])) as Record<
    MetricQueryName,
    Sample[]
  >;
  const job = (name: MetricQueryName) => byLabel(r[name], 'job');
  const container = (name: MetricQueryName) => byLabel(r[name], 'container_label_io_aisuite_service');
  const up = job('up');
  const requests = job('requests');
  const errors = job('errors');
  const p50 = job('p50');
  const p95 = job('p95');
  const cRestarts = container('containerRestarts');
  const cCpu = container('containerCpu');
  const cMemory = container('containerMemory');
  const pRestarts = job('processRestarts');
  const pCpu = job('processCpu');
  const pMemory = job('processMemory');
  const tokens = job('tokens');
  const ttft50 = byLabel(r.ttftP50, 'backend');
  const ttft95 = byLabel(r.ttftP95, 'backend');

  // a target not scraped yet has no series at all: listed anyway, so that no service goes missing
  const pending = new Set(unscraped.filter((job) => !up.has(job)));
  const known = [...new Set([...up.keys(), ...pending, ...cCpu.keys(), ...cMemory.keys()])].sort();
  const wanted = options.services && options.services.length > 0 ? options.services : known;
  const unknown = wanted.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new UserError(`Prometheus ${client.baseUrl} has no metrics for: ${unknown.join(', ')}`, {
      hint: known.length > 0 ? `Known services: ${known.join(', ')}` : 'Prometheus scrapes no target yet.',
      code: 'UNKNOWN_SERVICE',
    });
  }

  const backends: GatewayBackend[] = r.backends
    .filter((s) => s.labels.backend)
    .map((s) => ({
      backend: s.labels.backend as string,
      state: s.value,
      stateName: (STATE_NAMES[s.value] ?? 'unknown') as GatewayBackend['stateName'],
    }))
    .sort((a, b) => compareStrings(a.backend, b.backend));
  const fallbacks = r.fallbacks
    .filter((s) => Number.isFinite(s.value))
    .map((s) => ({ from: s.labels.from ?? '', to: s.labels.to ?? '', count: s.value }))
    .sort((a, b) => compareStrings(`${a.from}>${a.to}`, `${b.from}>${b.to}`));

  const services: ServiceMetrics[] = wanted.map((service) => {
    const fromCadvisor = cCpu.has(service) || cMemory.has(service);
    const resourceSource: ResourceSource | null = fromCadvisor
      ? 'cadvisor'
      : pCpu.has(service) || pMemory.has(service)
        ? 'process'
        : null;
    const req = finite(requests.get(service));
    const err = finite(errors.get(service));
    const row: ServiceMetrics = {
      service,
      up: finite(up.get(service)),
      requestsPerSecond: req,
      errorRatio: req === null || req === 0 ? null : (err ?? 0) / req,
      latencyP50Seconds: finite(p50.get(service)),
      latencyP95Seconds: finite(p95.get(service)),
      restarts: finite(fromCadvisor ? cRestarts.get(service) : pRestarts.get(service)),
      cpuCores: finite(fromCadvisor ? cCpu.get(service) : pCpu.get(service)),
      memoryBytes: finite(fromCadvisor ? cMemory.get(service) : pMemory.get(service)),
      resourceSource,
      breaches: [],
    };
    const backend = Object.entries(BACKEND_SERVICE).find(([, svc]) => svc === service)?.[0];
    const inference =
      INFERENCE.has(service) || tokens.has(service)
        ? {
            tokensPerSecond: finite(tokens.get(service)),
            ttftP50Seconds: backend ? finite(ttft50.get(backend)) : null,
            ttftP95Seconds: backend ? finite(ttft95.get(backend)) : null,
          }
        : undefined;
    const gateway = service === 'api-gateway' ? { fallbacks, backends } : undefined;
    const full = {
      ...row,
      ...(pending.has(service) ? { notScrapedYet: true as const } : {}),
      ...(inference ? { inference } : {}),
      ...(gateway ? { gateway } : {}),
    };
    return { ...full, breaches: breachesOf(full) };
  });

  return {
    schema: METRICS_SCHEMA,
    prometheusUrl: client.baseUrl,
    time: time.toISOString(),
    window: options.window,
    services,
    alerts: alerts
      .filter((a) => wanted === known || !a.service || wanted.includes(a.service))
      .map((a) => ({
        name: a.name,
        severity: a.severity,
        service: a.service ?? null,
        summary: a.summary ?? null,
        activeAt: a.activeAt ?? null,
      })),
  };
}

/** Which alert thresholds a row breaches (colour in the table, `breaches` in JSON). */
export function breachesOf(row: ServiceMetrics): string[] {
  const out: string[] = [];
  if (row.up === 0) out.push('down');
  if (row.errorRatio !== null && row.errorRatio > THRESHOLDS.errorRatio) out.push('errorRatio');
  if (row.latencyP95Seconds !== null && row.latencyP95Seconds > THRESHOLDS.latencyP95Seconds)
    out.push('latencyP95');
  if (row.restarts !== null && row.restarts >= THRESHOLDS.restarts) out.push('restarts');
  if (row.gateway?.backends.some((b) => b.state >= 2)) out.push('backendDown');
  if ((row.gateway?.fallbacks ?? []).reduce((n, f) => n + f.count, 0) > THRESHOLDS.fallbacks)
    out.push('fallbacks');
  return out;
}
