import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Backend } from './backend.js';
import {
  CLIENT_GONE_ERR,
  TIMEOUT_ERR,
  classify,
  judge,
  upstreamHeaders,
  type Ctx,
  type Outcome,
  type ProxyDeps,
} from './attempt.js';
import { callBuffered, type CallHandle } from './upstream-call.js';

/** Non-streamed: the whole upstream body is buffered, so any failure can still fail over. */
export async function attemptBuffered(
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
