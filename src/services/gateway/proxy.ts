import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, openAIError } from '../kit/index.js';
import type { Backend } from './backend.js';
import { Ctx, classify, type Failure, type Outcome, type ProxyDeps } from './attempt.js';
import { attemptBuffered } from './buffered-attempt.js';
import { fallbackChain, type RouteDecision } from './routing.js';
import { attemptStream } from './stream-attempt.js';

export type { ProxyDeps } from './attempt.js';

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

/** `/v1/embeddings` passthrough: no routing, no retries; unreachable is 503 with Retry-After. */
export async function proxyEmbeddings(
  req: FastifyRequest,
  reply: FastifyReply,
  backend: Backend,
  deps: ProxyDeps,
): Promise<void> {
  const t0 = performance.now() - reply.elapsedTime;
  const { metrics } = deps;
  let status = 503;
  try {
    const sent = performance.now();
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
    const upstreamMs = performance.now() - sent;
    metrics.upstream.observe({ backend: backend.name }, upstreamMs / 1000);
    const overheadMs = performance.now() - t0 - upstreamMs;
    metrics.overhead.observe({ model_group: 'embedding' }, overheadMs / 1000);
    void reply
      .code(status)
      .headers({ 'x-aisuite-backend': backend.name, 'x-aisuite-overhead-ms': overheadMs.toFixed(3) })
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
