import { fetchJson } from './http.js';
import {
  fail,
  pass,
  type LogqlProbeSpec,
  type Probe,
  type ProbeContext,
  type ProbeOutcome,
} from './types.js';

interface LokiResponse {
  status: string;
  data?: { resultType: string; result: { stream?: Record<string, string>; values?: unknown[] }[] };
}

/** LogQL probe: Loki's query_range must return streams (optionally one per expected label value). */
export class LogqlProbe implements Probe {
  readonly kind = 'logql';
  constructor(private readonly spec: LogqlProbeSpec) {}

  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const { spec } = this;
    const endNs = BigInt(Date.now()) * 1_000_000n;
    const startNs = endNs - BigInt(spec.sinceSeconds ?? 300) * 1_000_000_000n;
    const params = new URLSearchParams({
      query: spec.query,
      start: String(startNs),
      end: String(endNs),
      limit: '100',
      direction: 'backward',
    });
    const url = `${spec.url.replace(/\/$/, '')}/loki/api/v1/query_range?${params}`;
    let body: LokiResponse;
    try {
      body = (await fetchJson(url, ctx.signal, { headers: { ...spec.headers } })) as LokiResponse;
    } catch (error) {
      return fail((error as Error).message);
    }
    if (body.status !== 'success' || !body.data) return fail(`query failed: status ${body.status}`);
    if (body.data.resultType !== 'streams') {
      return fail(`expected a log query (streams), got ${body.data.resultType}`);
    }
    const streams = body.data.result.filter((s) => (s.values?.length ?? 0) > 0);
    const lines = streams.reduce((n, s) => n + (s.values?.length ?? 0), 0);
    const observed = { streams: streams.length, lines };
    const min = spec.minStreams ?? 1;
    if (streams.length < min)
      return fail(`${streams.length} streams with lines (expected >= ${min})`, observed);
    if (spec.expectLabel) {
      const seen = new Set(streams.map((s) => s.stream?.[spec.expectLabel!.name]));
      const missing = spec.expectLabel.values.filter((v) => !seen.has(v));
      if (missing.length > 0)
        return fail(`no logs with ${spec.expectLabel.name}=${missing.join(', ')}`, observed);
    }
    return pass(`${streams.length} streams, ${lines} lines`, observed);
  }
}
