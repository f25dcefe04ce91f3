/** What every upstream attempt shares: per-request bookkeeping, outcomes, failure classes. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Backend } from './backend.js';
import type { RouterConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import type { RouteDecision } from './routing.js';

export interface ProxyDeps {
  backends: ReadonlyMap<string, Backend>;
  cfg: RouterConfig;
  metrics: GatewayMetrics;
  log: Logger;
}

/** Why an attempt failed; `retryable` failures are retried on the same backend, others move on. */
export interface Failure {
  reason: string;
  retryable: boolean;
  message: string;
  retryAfterS?: number;
}

export type Outcome = { done: true; status: number } | { done: false; failure: Failure };

/** Per-request bookkeeping for headers and metrics. */
export class Ctx {
  /** Request arrival (fastify's onRequest), so parsing and validation count as overhead. */
  readonly t0: number;
  upstreamMs = 0;
  retries = 0;
  fallbacks = 0;
  servedBy = 'none';
  clientGone = false;
  constructor(
    readonly route: RouteDecision,
    elapsedMs: number,
  ) {
    this.t0 = performance.now() - elapsedMs;
  }

  /** The gateway's own time so far, `inFlightSince` being the start of the running attempt. */
  overheadMs(inFlightSince?: number): number {
    const now = performance.now();
    return now - this.t0 - this.upstreamMs - (inFlightSince === undefined ? 0 : now - inFlightSince);
  }

  headers(backend: string, inFlightSince?: number): Record<string, string> {
    return {
      'x-aisuite-backend': backend,
      'x-aisuite-model-group': this.route.group,
      'x-aisuite-route-reason': this.route.reason,
      'x-aisuite-retries': String(this.retries),
      'x-aisuite-fallbacks': String(this.fallbacks),
      'x-aisuite-overhead-ms': this.overheadMs(inFlightSince).toFixed(3),
    };
  }
}

export const TIMEOUT_ERR = new Error('upstream timed out');
export const CLIENT_GONE_ERR = new Error('client went away');
export const DONE_MARK = Buffer.from('data: [DONE]');
export const FRAME_END = Buffer.from('\n\n');
export function classify(err: unknown, abortReason: unknown): Failure {
  if (abortReason === TIMEOUT_ERR)
    return { reason: 'timeout', retryable: true, message: 'upstream timed out' };
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { reason: 'timeout', retryable: true, message: 'upstream timed out' };
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN'
  ) {
    return { reason: 'connect', retryable: true, message: `cannot connect (${code})` };
  }
  return {
    reason: 'connection',
    retryable: true,
    message: `connection failed (${code || e.message || 'unknown'})`,
  };
}

export function retryAfterSeconds(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Turns a complete upstream answer into an outcome: a retryable failure (5xx, 408), a 429, or a
 * response sent to the client (success, or the client's own 4xx mistake passed through as is).
 */
export function judge(
  reply: FastifyReply,
  ctx: Ctx,
  backend: Backend,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): Outcome {
  if (status === 429) {
    return {
      done: false,
      failure: {
        reason: 'rate_limited',
        retryable: false,
        message: 'upstream rate limited',
        retryAfterS: retryAfterSeconds(headers['retry-after']),
      },
    };
  }
  if (status >= 500 || status === 408) {
    return {
      done: false,
      failure: { reason: `http_${status}`, retryable: true, message: `upstream answered ${status}` },
    };
  }
  ctx.servedBy = backend.name;
  void reply
    .code(status)
    .headers(ctx.headers(backend.name))
    .type(String(headers['content-type'] ?? 'application/json'))
    .send(body);
  return { done: true, status };
}

export function upstreamHeaders(req: FastifyRequest, stream: boolean): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    'x-request-id': req.id,
  };
}
