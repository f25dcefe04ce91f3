/**
 * HTTP calls from tools to the suite's services. Every failure becomes a `ToolError` whose message
 * an agent can act on (which service, what it said, when to retry); the runner turns it into a
 * tool result with `isError: true`.
 */

/** A tool failure shown to the caller as an `isError` result. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface UpstreamOptions {
  /** Service name for messages ("rag", "api-gateway"). */
  service: string;
  timeoutMs: number;
  /** The MCP request's signal (the client cancelled or went away). */
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

function cause(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

/** Sends a JSON request and returns the parsed JSON body of a 2xx answer; throws ToolError otherwise. */
export async function callJson(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body: unknown,
  opts: UpstreamOptions,
): Promise<unknown> {
  const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...opts.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any(signals),
    });
  } catch (e) {
    const why = cause(e);
    const timedOut = why === 'timed out';
    throw new ToolError(
      `${opts.service} ${timedOut ? `did not answer within ${opts.timeoutMs} ms` : `is unreachable (${why})`} at ${new URL(url).origin}`,
      { service: opts.service, error: timedOut ? 'timeout' : 'unreachable' },
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const env = (json as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
    const msg = typeof env?.message === 'string' ? env.message : text.slice(0, 300) || res.statusText;
    const retry = res.headers.get('retry-after');
    throw new ToolError(
      `${opts.service} answered ${res.status}: ${msg}${retry ? `; retry after ${retry} s` : ''}`,
      {
        service: opts.service,
        status: res.status,
        ...(env?.code !== undefined ? { code: env.code } : {}),
        ...(retry ? { retry_after_seconds: Number(retry) } : {}),
      },
    );
  }
  if (json === undefined)
    throw new ToolError(`${opts.service} answered ${res.status} with a body that is not JSON`, {
      service: opts.service,
    });
  return json;
}
