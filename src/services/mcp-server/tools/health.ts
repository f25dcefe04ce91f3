/** The `suite_health` tool: every suite service's health endpoint, asked in parallel. */
import { defineTool, jsonOutput, type ToolContext } from './types.js';

interface ServiceHealth {
  name: string;
  url: string;
  state: 'up' | 'down';
  http_status: number | null;
  latency_ms: number;
  detail?: unknown;
  error?: string;
}

async function probe(name: string, url: string, ctx: ToolContext): Promise<ServiceHealth> {
  const t0 = performance.now();
  const ms = (): number => Math.round((performance.now() - t0) * 10) / 10;
  try {
    const res = await fetch(url, {
      signal: AbortSignal.any([AbortSignal.timeout(ctx.cfg.MCP_HEALTH_TIMEOUT), ctx.signal]),
      headers: { accept: 'application/json' },
    });
    const text = await res.text();
    let detail: unknown = text.slice(0, 500);
    try {
      detail = JSON.parse(text);
    } catch {
      // a plain-text health answer is shown as text
    }
    return { name, url, state: res.ok ? 'up' : 'down', http_status: res.status, latency_ms: ms(), detail };
  } catch (e) {
    const err = e as { name?: string; cause?: { code?: string }; message?: string };
    const error =
      err.name === 'TimeoutError'
        ? `no answer within ${ctx.cfg.MCP_HEALTH_TIMEOUT} ms`
        : (err.cause?.code ?? err.message ?? String(e));
    return { name, url, state: 'down', http_status: null, latency_ms: ms(), error };
  }
}

export const suiteHealth = defineTool({
  name: 'suite_health',
  title: 'Suite health',
  description: 'Ask every service of the suite for its health and report which are up or down.',
  destructive: false,
  readOnly: true,
  input: {},
  async run(_args, ctx) {
    const services = await Promise.all([...ctx.healthTargets].map(([n, u]) => probe(n, u, ctx)));
    const down = services.filter((s) => s.state !== 'up').map((s) => s.name);
    const status = down.length === 0 ? 'ok' : down.length === services.length ? 'down' : 'degraded';
    return jsonOutput(
      { status, services },
      down.length === 0 ? `All ${services.length} services are up.` : `Down: ${down.join(', ')}.`,
    );
  },
});
