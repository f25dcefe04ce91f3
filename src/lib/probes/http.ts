import { checkJsonAssertion } from './json-path.js';
import { describeNetworkError } from './errors.js';
import { fail, pass, type HttpProbeSpec, type Probe, type ProbeContext, type ProbeOutcome } from './types.js';

/** Fetch JSON from a URL; throws with a one-line reason (status or network error). */
export async function fetchJson(
  url: string,
  signal: AbortSignal,
  init: { headers?: Record<string, string> } = {},
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json', ...init.headers } });
  } catch (error) {
    throw new Error(`GET ${url}: ${describeNetworkError(error)}`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 200)}`.trim());
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`GET ${url}: response is not JSON (${text.slice(0, 80)})`);
  }
}

/** HTTP probe: status, JSON path assertions, body substring and a latency bound. */
export class HttpProbe implements Probe {
  readonly kind = 'http';
  constructor(private readonly spec: HttpProbeSpec) {}

  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const { spec } = this;
    const method = spec.method ?? (spec.body === undefined ? 'GET' : 'POST');
    const started = ctx.clock.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(spec.url, {
        method,
        signal: ctx.signal,
        headers: {
          accept: 'application/json',
          ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...spec.headers,
        },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      });
      text = method === 'HEAD' ? '' : await res.text();
    } catch (error) {
      return fail(`${method} ${spec.url}: ${describeNetworkError(error)}`);
    }
    const latencyMs = Math.round(ctx.clock.now() - started);
    const observed = { status: res.status, latencyMs };
    const statusOk = spec.expectStatus ? spec.expectStatus.includes(res.status) : res.ok;
    if (!statusOk) {
      const expected = spec.expectStatus ? spec.expectStatus.join(' or ') : '2xx';
      return fail(`HTTP ${res.status} (expected ${expected}): ${text.slice(0, 160)}`.trim(), observed);
    }
    if (spec.bodyContains !== undefined && !text.includes(spec.bodyContains)) {
      return fail(`body does not contain ${JSON.stringify(spec.bodyContains)}`, observed);
    }
    if (spec.json && spec.json.length > 0) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return fail(`response is not JSON: ${text.slice(0, 80)}`, observed);
      }
      for (const assertion of spec.json) {
        const why = checkJsonAssertion(body, assertion);
        if (why) return fail(why, observed);
      }
    }
    if (spec.maxLatencyMs !== undefined && latencyMs > spec.maxLatencyMs) {
      return fail(`took ${latencyMs} ms (bound ${spec.maxLatencyMs} ms)`, observed);
    }
    return pass(`HTTP ${res.status} in ${latencyMs} ms`, observed);
  }
}
