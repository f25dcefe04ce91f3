import { request } from 'undici';
import { ExternalError, UserError } from '../errors.js';

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  /** NaN and ±Inf (e.g. a quantile with no traffic) are kept as NaN; callers turn them into null. */
  readonly value: number;
}

export interface FiringAlert {
  readonly name: string;
  readonly severity: string;
  readonly service?: string;
  readonly summary?: string;
  readonly activeAt?: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

/** A small client for Prometheus's HTTP API (instant queries and alerts) with errors that name the URL. */
export class PrometheusClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ) {
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new UserError(`--prometheus-url ${JSON.stringify(baseUrl)} is not a URL`, {
        hint: 'For example --prometheus-url http://127.0.0.1:9090',
        code: 'INVALID_URL',
      });
    }
    this.baseUrl = parsed.toString().replace(/\/+$/, '');
  }

  private async get<T>(pathAndQuery: string, what: string): Promise<T> {
    const url = `${this.baseUrl}${pathAndQuery}`;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const signals = [AbortSignal.timeout(timeoutMs), ...(this.options.signal ? [this.options.signal] : [])];
    let status: number;
    let text: string;
    try {
      const res = await request(url, {
        method: 'GET',
        signal: AbortSignal.any(signals),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (error) {
      if (this.options.signal?.aborted) throw this.options.signal.reason as Error;
      const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const code = err.code ?? err.cause?.code ?? err.name;
      throw new ExternalError(`Prometheus at ${this.baseUrl} is unreachable (${code}: ${err.message})`, {
        code: 'PROMETHEUS_UNREACHABLE',
        hint:
          'Check that the suite runs with monitoring (`aisuite status`), or point --prometheus-url ' +
          '(AISUITE_PROMETHEUS_URL) at a running Prometheus.',
        details: { url: this.baseUrl },
        cause: error,
      });
    }
    let body: ApiResponse<T> | undefined;
    try {
      body = JSON.parse(text) as ApiResponse<T>;
    } catch {
      body = undefined;
    }
    if (status !== 200 || body?.status !== 'success' || body.data === undefined) {
      throw new ExternalError(
        `Prometheus at ${this.baseUrl} answered ${status} to ${what}: ${body?.error ?? text.slice(0, 200)}`,
        { code: 'PROMETHEUS_ERROR', details: { url: this.baseUrl, status } },
      );
    }
    return body.data;
  }

  /** A success answer without the part of Prometheus's API shape aisuite reads (not a Prometheus?). */
  private shapeError(what: string, missing: string): ExternalError {
    return new ExternalError(`Prometheus at ${this.baseUrl} answered ${what} without ${missing}`, {
      code: 'PROMETHEUS_ERROR',
      hint: 'Check that --prometheus-url (AISUITE_PROMETHEUS_URL) points at Prometheus itself.',
      details: { url: this.baseUrl },
    });
  }

  /** An instant query; only vector results are accepted (every query aisuite sends aggregates to one). */
  async query(promql: string, time?: Date): Promise<Sample[]> {
    const params = new URLSearchParams({ query: promql });
    if (time) params.set('time', String(time.getTime() / 1000));
    const data = await this.get<{
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[];
    }>(`/api/v1/query?${params.toString()}`, `the query ${promql}`);
    if (data.resultType !== 'vector') return [];
    if (!Array.isArray(data.result)) throw this.shapeError(`the query ${promql}`, 'a result list');
    return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  /**
   * The `suite` external label of this Prometheus's configuration: the project whose `aisuite up`
   * rendered it (undefined for a Prometheus aisuite did not configure).
   */
  async suiteLabel(): Promise<string | undefined> {
    const data = await this.get<{ yaml?: unknown }>('/api/v1/status/config', 'the config request');
    if (typeof data.yaml !== 'string') throw this.shapeError('the config request', 'its yaml');
    const { parse } = await import('../yaml.js');
    const config = parse(data.yaml) as { global?: { external_labels?: Record<string, unknown> } } | null;
    const suite = config?.global?.external_labels?.suite;
    return typeof suite === 'string' ? suite : undefined;
  }

  /**
   * Jobs Prometheus scrapes but has not scraped yet (every active target's health still "unknown"):
   * right after `up`, until each target's first scrape, which comes within one scrape interval.
   */
  async unscrapedJobs(): Promise<string[]> {
    const data = await this.get<{ activeTargets?: { labels?: Record<string, string>; health?: string }[] }>(
      '/api/v1/targets?state=active',
      'the targets request',
    );
    if (!Array.isArray(data.activeTargets)) throw this.shapeError('the targets request', 'a target list');
    const scraped = new Set<string>();
    const jobs = new Set<string>();
    for (const t of data.activeTargets) {
      const job = t.labels?.job;
      if (!job) continue;
      jobs.add(job);
      if (t.health !== 'unknown') scraped.add(job);
    }
    return [...jobs].filter((job) => !scraped.has(job));
  }

  /** Alerts in state firing (pending ones are not news yet). */
  async firingAlerts(): Promise<FiringAlert[]> {
    const data = await this.get<{
      alerts: {
        labels: Record<string, string>;
        annotations?: Record<string, string>;
        state: string;
        activeAt?: string;
      }[];
    }>('/api/v1/alerts', 'the alerts request');
    if (!Array.isArray(data.alerts)) throw this.shapeError('the alerts request', 'an alerts list');
    return data.alerts
      .filter((a) => a.state === 'firing')
      .map((a) => ({
        name: a.labels.alertname ?? 'unknown',
        severity: a.labels.severity ?? 'none',
        ...(a.labels.service ? { service: a.labels.service } : {}),
        ...(a.annotations?.summary ? { summary: a.annotations.summary } : {}),
        ...(a.activeAt ? { activeAt: a.activeAt } : {}),
        labels: a.labels,
      }));
  }
}
