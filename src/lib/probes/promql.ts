import { compare } from './compare.js';
import { fetchJson } from './http.js';
import {
  fail,
  pass,
  type Probe,
  type ProbeContext,
  type ProbeOutcome,
  type PromqlProbeSpec,
} from './types.js';

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface QueryResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

/** Runs an instant query through the Prometheus HTTP API and returns its samples (vector or scalar). */
export async function promInstantQuery(
  baseUrl: string,
  query: string,
  signal: AbortSignal,
): Promise<Sample[]> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  const body = (await fetchJson(url, signal)) as QueryResponse;
  if (body.status !== 'success' || !body.data) throw new Error(`query failed: ${body.error ?? 'no data'}`);
  const { resultType, result } = body.data;
  if (resultType === 'scalar') return [{ labels: {}, value: Number((result as [number, string])[1]) }];
  if (resultType === 'vector') {
    return (result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      labels: r.metric,
      value: Number(r.value[1]),
    }));
  }
  if (resultType === 'matrix') {
    // the latest value of each series
    return (result as { metric: Record<string, string>; values: [number, string][] }[])
      .filter((r) => r.values.length > 0)
      .map((r) => ({ labels: r.metric, value: Number(r.values[r.values.length - 1]![1]) }));
  }
  throw new Error(`unsupported result type ${resultType}`);
}

export function showSample(s: Sample): string {
  const { __name__: name = '', ...rest } = s.labels;
  const labels = Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${labels}} = ${s.value}`;
}

/** PromQL probe: passes only on a non-empty result whose every sample meets the condition. */
export class PromqlProbe implements Probe {
  readonly kind = 'promql';
  constructor(private readonly spec: PromqlProbeSpec) {}

  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const { spec } = this;
    let samples: Sample[];
    try {
      samples = await promInstantQuery(spec.url, spec.query, ctx.signal);
    } catch (error) {
      return fail((error as Error).message);
    }
    const observed = { samples: samples.length };
    if (samples.length === 0) return fail(`empty result for ${spec.query}`, observed);
    if (spec.condition) {
      const { op, value } = spec.condition;
      const bad = samples.filter((s) => !compare(s.value, op, value));
      if (bad.length > 0) {
        const shown = bad.slice(0, 3).map(showSample).join('; ');
        return fail(`${bad.length} of ${samples.length} samples not ${op} ${value}: ${shown}`, observed);
      }
    }
    if (spec.expectLabel) {
      const seen = new Set(samples.map((s) => s.labels[spec.expectLabel!.name]));
      const missing = spec.expectLabel.values.filter((v) => !seen.has(v));
      if (missing.length > 0) {
        return fail(`no sample with ${spec.expectLabel.name}=${missing.join(', ')}`, observed);
      }
    }
    const condition = spec.condition ? `, all ${spec.condition.op} ${spec.condition.value}` : '';
    return pass(`${samples.length} sample${samples.length === 1 ? '' : 's'}${condition}`, observed);
  }
}
