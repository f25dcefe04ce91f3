import { fetchJson } from './http.js';
import { promInstantQuery } from './promql.js';
import {
  fail,
  pass,
  type GrafanaDashboardProbeSpec,
  type Probe,
  type ProbeContext,
  type ProbeOutcome,
} from './types.js';

interface Panel {
  title?: string;
  datasource?: { type?: string } | string | null;
  targets?: { expr?: string; datasource?: { type?: string } | string | null; hide?: boolean }[];
  panels?: Panel[];
}

export interface PanelQuery {
  readonly panel: string;
  readonly expr: string;
}

const dsType = (ds: Panel['datasource']) => (typeof ds === 'object' && ds ? ds.type : undefined);

/** The PromQL expressions of a dashboard's panels (rows flattened; Loki and hidden targets left out). */
export function dashboardQueries(dashboard: { panels?: Panel[] }): PanelQuery[] {
  const out: PanelQuery[] = [];
  const walk = (panels: Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        const type = dsType(target.datasource) ?? dsType(panel.datasource);
        if (!target.expr || target.hide || (type !== undefined && type !== 'prometheus')) continue;
        out.push({ panel: panel.title ?? '(untitled)', expr: target.expr });
      }
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** Grafana's built-in interval variables become a fixed window; template variables match anything. */
export function expandVariables(expr: string, interval: string): string {
  return expr
    .replace(/\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}/g, interval)
    .replace(/\$\{\w+(?::\w+)?\}|\$\w+/g, '.+');
}

/**
 * Fetches a dashboard from Grafana's HTTP API and runs each of its PromQL queries against Prometheus:
 * passes when every panel query returns data.
 */
export class GrafanaDashboardProbe implements Probe {
  readonly kind = 'grafana-dashboard';
  constructor(private readonly spec: GrafanaDashboardProbeSpec) {}

  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const { spec } = this;
    const headers: Record<string, string> = {};
    if (spec.username !== undefined) {
      const token = Buffer.from(`${spec.username}:${spec.password ?? ''}`).toString('base64');
      headers.authorization = `Basic ${token}`;
    }
    let body: { dashboard?: { title?: string; panels?: Panel[] } };
    try {
      const url = `${spec.url.replace(/\/$/, '')}/api/dashboards/uid/${encodeURIComponent(spec.uid)}`;
      body = (await fetchJson(url, ctx.signal, { headers })) as typeof body;
    } catch (error) {
      return fail((error as Error).message);
    }
    const queries = dashboardQueries(body.dashboard ?? {});
    if (queries.length === 0) return fail(`dashboard ${spec.uid} has no PromQL panel queries`);
    const interval = spec.interval ?? '5m';
    const empty: string[] = [];
    for (const q of queries) {
      try {
        const samples = await promInstantQuery(
          spec.prometheusUrl,
          expandVariables(q.expr, interval),
          ctx.signal,
        );
        if (samples.length === 0) empty.push(q.panel);
      } catch (error) {
        empty.push(`${q.panel} (${(error as Error).message})`);
      }
    }
    const observed = { queries: queries.length, empty: empty.length };
    if (empty.length > 0) {
      return fail(
        `${empty.length} of ${queries.length} panel queries return no data: ${empty.join('; ')}`,
        observed,
      );
    }
    return pass(
      `${queries.length} panel queries of "${body.dashboard?.title ?? spec.uid}" return data`,
      observed,
    );
  }
}
