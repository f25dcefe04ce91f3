import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { openAIError } from '../kit/index.js';
import type { Backend } from './backend.js';
import {
  CLIENT_GONE_ERR,
  DONE_MARK,
  FRAME_END,
  TIMEOUT_ERR,
  classify,
  judge,
  upstreamHeaders,
  type Ctx,
  type Outcome,
  type ProxyDeps,
} from './attempt.js';

/**
 * Streamed, through undici's dispatch API so each upstream chunk is written straight to the client
 * (no Readable or async iterator per chunk). The stream is committed at the first complete SSE
 * event; before that any failure is an ordinary failed attempt (failover still possible), after it
 * an upstream failure ends the stream with an error event. A slow client pauses the upstream.
 */
export function attemptStream(
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
