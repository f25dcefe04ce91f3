import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { HttpError, openAIError } from '../kit/index.js';
import type { Backend } from './backend.js';
import type { RouterConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import { fallbackChain, type RouteDecision } from './routing.js';
import { callBuffered, type CallHandle } from './upstream-call.js';

export interface ProxyDeps {
  backends: ReadonlyMap<string, Backend>;
  cfg: RouterConfig;
  metrics: GatewayMetrics;
  log: Logger;
}

/** Why an attempt failed; `retryable` failures are retried on the same backend, others move on. */
interface Failure {
  reason: string;
  retryable: boolean;
  message: string;
  retryAfterS?: number;
}

type Outcome = { done: true; status: number } | { done: false; failure: Failure };

/** Per-request bookkeeping for headers and metrics. */
class Ctx {
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

const TIMEOUT_ERR = new Error('upstream timed out');
const CLIENT_GONE_ERR = new Error('client went away');
const DONE_MARK = Buffer.from('data: [DONE]');
const FRAME_END = Buffer.from('\n\n');

function classify(err: unknown, abortReason: unknown): Failure {
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

function retryAfterSeconds(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Serves one generation request: tries the routed group, retries retryable failures on the same
 * backend, then its fallbacks. Non-streamed bodies are buffered, so any failure before the reply is
 * sent can fail over; a stream is committed at its first complete SSE event, and after that an
 * upstream failure ends the stream with an error event instead of failing over.
 */
export async function proxyGeneration(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ProxyDeps,
  route: RouteDecision,
  path: string,
  stream: boolean,
): Promise<void> {
  const { cfg, metrics, backends } = deps;
  const ctx = new Ctx(route, reply.elapsedTime);
  const group = route.group;
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ctx.clientGone = true;
  });
  const finish = (status: number): void => {
    metrics.requests.inc({ model_group: group, backend: ctx.servedBy, status: String(status) });
    const total = (performance.now() - ctx.t0) / 1000;
    metrics.duration.observe({ model_group: group }, total);
    metrics.overhead.observe({ model_group: group }, Math.max(0, total - ctx.upstreamMs / 1000));
  };

  const chain = fallbackChain(group, cfg).flatMap((name) => {
    const b = backends.get(name);
    return b ? [b] : [];
  });
  const failures: Array<{ backend: string } & Failure> = [];
  let prev = group;
  for (const backend of chain) {
    if (!backend.available()) continue;
    if (backend.name !== prev) {
      ctx.fallbacks++;
      metrics.fallbacks.inc({ from: prev, to: backend.name });
      deps.log.warn({ request_id: req.id, from: prev, to: backend.name }, 'falling back');
      prev = backend.name;
    }
    for (let attempt = 0; attempt <= cfg.numRetries; attempt++) {
      if (attempt > 0) {
        if (!backend.available()) break;
        ctx.retries++;
        metrics.retries.inc({ model_group: group, backend: backend.name });
        if (cfg.retryAfterMs > 0) await new Promise((r) => setTimeout(r, cfg.retryAfterMs));
      }
      if (ctx.clientGone) return finish(499);
      const outcome = await attempt1(req, reply, deps, ctx, backend, path, stream);
      if (outcome.done) return finish(outcome.status);
      const f = outcome.failure;
      if (f.reason === 'client_closed') return finish(499);
      failures.push({ backend: backend.name, ...f });
      metrics.failures.inc({ model_group: group, backend: backend.name, reason: f.reason });
      if (backend.recordFailure()) {
        metrics.cooldowns.inc({ backend: backend.name });
        deps.log.warn({ backend: backend.name, cooldown_ms: cfg.cooldownMs }, 'backend cooling down');
      }
      deps.log.warn({ request_id: req.id, backend: backend.name, reason: f.reason, attempt }, f.message);
      if (!f.retryable) break;
    }
  }

  // Nothing served: 429 if every backend said so, else 503; both carry Retry-After.
  let status: number;
  let retryAfter: number;
  let message: string;
  if (failures.length > 0 && failures.every((f) => f.reason === 'rate_limited')) {
    status = 429;
    retryAfter = Math.max(1, ...failures.map((f) => f.retryAfterS ?? 1));
    message = `Every backend for model group "${group}" is rate limited`;
  } else {
    status = 503;
    const waits = chain.map((b) => b.cooldownRemaining()).filter((ms) => ms > 0);
    retryAfter = Math.max(
      1,
      Math.ceil((waits.length ? Math.min(...waits) : cfg.healthCheckIntervalMs) / 1000),
    );
    message =
      failures.length === 0
        ? `No backend available for model group "${group}" (all down or cooling down)`
        : `All backends for model group "${group}" failed: ${failures.map((f) => `${f.backend}: ${f.reason}`).join(', ')}`;
    if (failures.length === 0)
      metrics.failures.inc({ model_group: group, backend: 'none', reason: 'no_backend' });
  }
  void reply
    .code(status)
    .headers({ ...ctx.headers('none'), 'retry-after': String(retryAfter) })
    .type('application/json')
    .send(
      openAIError(
        message,
        status === 429 ? 'rate_limit_error' : 'unavailable_error',
        status === 429 ? 'rate_limited' : 'backends_unavailable',
      ),
    );
  finish(status);
}

/**
 * Turns a complete upstream answer into an outcome: a retryable failure (5xx, 408), a 429, or a
 * response sent to the client (success, or the client's own 4xx mistake passed through as is).
 */
function judge(
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

function upstreamHeaders(req: FastifyRequest, stream: boolean): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    'x-request-id': req.id,
  };
}

/** One upstream attempt. Resolves `done` once a response (success or a client error) was sent. */
function attempt1(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ProxyDeps,
  ctx: Ctx,
  backend: Backend,
  path: string,
  stream: boolean,
): Promise<Outcome> {
  return stream
    ? attemptStream(req, reply, deps, ctx, backend, path)
    : attemptBuffered(req, reply, deps, ctx, backend, path);
}

/** Non-streamed: the whole upstream body is buffered, so any failure can still fail over. */
async function attemptBuffered(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ProxyDeps,
  ctx: Ctx,
  backend: Backend,
  path: string,
): Promise<Outcome> {
  const { cfg, metrics } = deps;
  const started = performance.now();
  let call: CallHandle | undefined;
  let abortedBy: Error | undefined;
  const abort = (why: Error): void => {
    abortedBy ??= why;
    call?.abort(why);
  };
  const timer = setTimeout(() => abort(TIMEOUT_ERR), cfg.timeoutMs);
  const onGone = (): void => {
    if (!reply.raw.writableFinished) abort(CLIENT_GONE_ERR);
  };
  reply.raw.once('close', onGone);
  let outcome: Outcome;
  try {
    const res = await callBuffered(
      backend.pool,
      {
        path: backend.basePath + path,
        headers: upstreamHeaders(req, false),
        body: req.rawBody ?? JSON.stringify(req.body),
        timeoutMs: cfg.timeoutMs,
      },
      (h) => (call = h),
    );
    clearTimeout(timer);
    reply.raw.off('close', onGone);
    const ms = performance.now() - started;
    ctx.upstreamMs += ms;
    metrics.upstream.observe({ backend: backend.name }, ms / 1000);
    outcome = judge(reply, ctx, backend, res.statusCode, res.headers, res.body);
  } catch (err) {
    clearTimeout(timer);
    reply.raw.off('close', onGone);
    const ms = performance.now() - started;
    ctx.upstreamMs += ms;
    metrics.upstream.observe({ backend: backend.name }, ms / 1000);
    outcome =
      abortedBy === CLIENT_GONE_ERR
        ? { done: false, failure: { reason: 'client_closed', retryable: false, message: 'client went away' } }
        : { done: false, failure: classify(err, abortedBy) };
  }
  return outcome;
}

/**
 * Streamed, through undici's dispatch API so each upstream chunk is written straight to the client
 * (no Readable or async iterator per chunk). The stream is committed at the first complete SSE
 * event; before that any failure is an ordinary failed attempt (failover still possible), after it
 * an upstream failure ends the stream with an error event. A slow client pauses the upstream.
 */
function attemptStream(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ProxyDeps,
  ctx: Ctx,
  backend: Backend,
  path: string,
): Promise<Outcome> {
  const { cfg, metrics } = deps;
  const res = reply.raw;
  const started = performance.now();
  return new Promise<Outcome>((resolve) => {
    let controller: Dispatcher.DispatchController | undefined;
    let abortedBy: Error | undefined;
    let statusCode = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    let buffered: Buffer[] | undefined; // a non-2xx answer, judged once complete
    let pending: Buffer = Buffer.alloc(0);
    let committed = false;
    let sawDone = false;
    let settled = false;
    const abort = (why: Error): void => {
      abortedBy ??= why;
      controller?.abort(why);
    };
    const firstTokenTimer = setTimeout(() => abort(TIMEOUT_ERR), cfg.timeoutMs);
    const onGone = (): void => {
      if (!res.writableFinished) abort(CLIENT_GONE_ERR);
    };
    res.once('close', onGone);
    const settle = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(firstTokenTimer);
      res.off('close', onGone);
      const ms = performance.now() - started;
      ctx.upstreamMs += ms;
      metrics.upstream.observe({ backend: backend.name }, ms / 1000);
      resolve(o);
    };
    const commit = (first: Buffer): void => {
      committed = true;
      clearTimeout(firstTokenTimer); // from here only stream_timeout (silence between chunks) applies
      reply.hijack();
      ctx.servedBy = backend.name;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...ctx.headers(backend.name, started),
      });
      res.write(first);
      metrics.ttft.observe(
        { model_group: ctx.route.group, backend: backend.name },
        (performance.now() - ctx.t0) / 1000,
      );
    };
    const interrupted = (why: string): void => {
      // Never a silent truncation: the client gets an error event (the openai client throws APIError).
      metrics.failures.inc({
        model_group: ctx.route.group,
        backend: backend.name,
        reason: 'stream_interrupted',
      });
      if (backend.recordFailure()) metrics.cooldowns.inc({ backend: backend.name });
      deps.log.warn({ backend: backend.name, reason: why }, 'stream interrupted after the first event');
      const event = openAIError(
        `Upstream backend "${backend.name}" failed mid-stream: ${why}`,
        'server_error',
        'upstream_stream_interrupted',
      );
      res.end(`data: ${JSON.stringify(event)}\n\n`);
    };

    backend.pool.dispatch(
      {
        method: 'POST',
        path: backend.basePath + path,
        headers: upstreamHeaders(req, true),
        body: req.rawBody ?? JSON.stringify(req.body),
        headersTimeout: cfg.timeoutMs,
        bodyTimeout: cfg.streamTimeoutMs,
      },
      {
        onRequestStart(c) {
          controller = c;
          if (abortedBy) c.abort(abortedBy);
        },
        onResponseStart(_c, status, h) {
          statusCode = status;
          headers = h;
          if (status < 200 || status >= 300) buffered = [];
        },
        onResponseData(c, chunk) {
          if (buffered) {
            buffered.push(chunk);
            return;
          }
          pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
          const cut = pending.lastIndexOf(FRAME_END);
          if (cut < 0) return;
          const out = pending.subarray(0, cut + 2);
          pending = pending.subarray(cut + 2);
          if (!sawDone && out.includes(DONE_MARK)) sawDone = true;
          if (!committed) return commit(out);
          if (!res.write(out)) {
            c.pause();
            res.once('drain', () => c.resume());
          }
        },
        onResponseEnd() {
          if (buffered) {
            const body = buffered.length === 1 ? (buffered[0] as Buffer) : Buffer.concat(buffered);
            clearTimeout(firstTokenTimer);
            res.off('close', onGone);
            settled = true;
            const ms = performance.now() - started;
            ctx.upstreamMs += ms;
            metrics.upstream.observe({ backend: backend.name }, ms / 1000);
            return resolve(judge(reply, ctx, backend, statusCode, headers, body));
          }
          if (!committed) {
            return settle({
              done: false,
              failure: {
                reason: 'empty_stream',
                retryable: true,
                message: 'upstream stream ended before any event',
              },
            });
          }
          if (sawDone) res.end(pending.length ? pending : undefined);
          else interrupted('upstream stream ended without [DONE]');
          settle({ done: true, status: 200 });
        },
        onResponseError(_c, err) {
          if (abortedBy === CLIENT_GONE_ERR) {
            if (committed) res.destroy();
            return settle(
              committed
                ? { done: true, status: 499 }
                : {
                    done: false,
                    failure: { reason: 'client_closed', retryable: false, message: 'client went away' },
                  },
            );
          }
          const f = classify(err, abortedBy);
          if (!committed) return settle({ done: false, failure: f });
          interrupted(f.message);
          settle({ done: true, status: 200 });
        },
      },
    );
  });
}

/** `/v1/embeddings` passthrough: no routing, no retries; unreachable is 503 with Retry-After. */
export async function proxyEmbeddings(
  req: FastifyRequest,
  reply: FastifyReply,
  backend: Backend,
  deps: ProxyDeps,
): Promise<void> {
  const t0 = performance.now();
  const { metrics } = deps;
  let status = 503;
  try {
    const res = await backend.pool.request({
      method: 'POST',
      path: `${backend.basePath}/v1/embeddings`,
      headers: { 'content-type': 'application/json', 'x-request-id': req.id },
      body: req.rawBody ?? JSON.stringify(req.body),
      headersTimeout: deps.cfg.timeoutMs,
      bodyTimeout: deps.cfg.timeoutMs,
    });
    const buf = Buffer.from(await res.body.arrayBuffer());
    status = res.statusCode;
    const upstreamS = (performance.now() - t0) / 1000;
    metrics.upstream.observe({ backend: backend.name }, upstreamS);
    void reply
      .code(status)
      .headers({ 'x-aisuite-backend': backend.name, 'x-aisuite-overhead-ms': '0.000' })
      .type(String(res.headers['content-type'] ?? 'application/json'))
      .send(buf);
  } catch (err) {
    const f = classify(err, undefined);
    metrics.failures.inc({ model_group: 'embedding', backend: backend.name, reason: f.reason });
    throw new HttpError(503, `Embedding service unavailable: ${f.message}`, {
      type: 'unavailable_error',
      code: 'backend_unavailable',
      headers: { 'retry-after': '1' },
    });
  } finally {
    metrics.requests.inc({ model_group: 'embedding', backend: backend.name, status: String(status) });
    metrics.duration.observe({ model_group: 'embedding' }, (performance.now() - t0) / 1000);
  }
}
