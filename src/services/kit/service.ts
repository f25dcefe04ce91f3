import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Check, type CheckOptions, type CheckResult } from './checks.js';
import { HttpError, toErrorResponse } from './errors.js';
import { createServiceRegistry, type HttpMetrics } from './http-metrics.js';
import { createLogger } from './logger.js';
import { PROBE_ROUTES } from '../../lib/probe-routes.js';

/** `loading` until the service says it is ready; `stopping` once shutdown began. */
export type ReadyState = 'loading' | 'ready' | 'stopping';

/** Routes polled by machines: logged at debug level only (a failing `/health` at info). */
const PROBE_ROUTE_SET: ReadonlySet<string> = new Set(PROBE_ROUTES);

export interface ServiceOptions {
  name: string;
  version: string;
  /** Largest accepted request body in bytes (413 above). Default 1 MiB. */
  bodyLimit?: number;
  port?: number;
  host?: string;
  logLevel?: string;
  /** How long in-flight requests may run after close() starts. Default 10 s. */
  shutdownGraceMs?: number;
  /** Register the kit's JSON `/health`; set false when the service serves its own (e.g. llama.cpp's). */
  healthRoute?: boolean;
  /** Keep the raw JSON bytes on `request.rawBody` (a proxy can forward them without re-serialising). */
  keepRawBody?: boolean;
  /** Readiness rule over the cached checks; default: every hard check is not `down`. */
  readiness?: (checks: ReadonlyMap<string, CheckResult & { hard: boolean }>) => boolean;
  /** Extra fields for the `/health` JSON. */
  healthDetail?: () => Record<string, unknown>;
}

export interface Service {
  app: FastifyInstance;
  registry: Registry;
  http: HttpMetrics;
  log: Logger;
  readonly state: ReadyState;
  setReady(state: ReadyState): void;
  /** True when state is `ready` and the readiness rule holds (what /readyz answers). */
  isReady(): boolean;
  /** Adds a background check (started by listen(), stopped by close()). */
  addCheck(opts: CheckOptions): Check;
  checks(): ReadonlyMap<string, CheckResult & { hard: boolean }>;
  /** Listens on port/host; resolves to the base URL (`http://127.0.0.1:1234`). */
  listen(): Promise<string>;
  /**
   * Stops accepting, lets in-flight requests (streams too) finish up to the grace period, then closes;
   * `signal` (when a signal asked for it) goes into the 'shutting down' log line.
   */
  close(signal?: NodeJS.Signals): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** Honour a sane incoming x-request-id (it is logged), else generate one. */
function requestId(req: IncomingMessage): string {
  const h = req.headers['x-request-id'];
  return typeof h === 'string' && REQUEST_ID.test(h) ? h : randomUUID();
}

/** Creates a fastify app with the kit's probes, metrics, logs, error envelope and shutdown. */
export function createService(opts: ServiceOptions): Service {
  const log = createLogger({ name: opts.name, version: opts.version, level: opts.logLevel ?? 'info' });
  const { registry, http } = createServiceRegistry();
  const graceMs = opts.shutdownGraceMs ?? 10_000;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One access-log line per request is written by the kit's own hook below.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    genReqId: requestId,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
  });
  let state: ReadyState = 'loading';
  const checkList = new Map<string, Check>();
  const startedAt = Date.now();

  if (opts.keepRawBody) {
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
      const buf = body as Buffer;
      req.rawBody = buf;
      if (buf.length === 0)
        return done(
          Object.assign(new Error('empty'), { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }),
        );
      try {
        done(null, JSON.parse(buf.toString('utf8')));
      } catch (e) {
        done(e as SyntaxError);
      }
    });
  }

  const checks = (): Map<string, CheckResult & { hard: boolean }> =>
    new Map([...checkList.values()].map((c) => [c.name, { ...c.current(), hard: c.hard }]));
  const readiness =
    opts.readiness ??
    ((cs) => [...cs.values()].every((c) => !c.hard || (c.state !== 'down' && c.state !== 'unknown')));
  const isReady = (): boolean => state === 'ready' && readiness(checks());

  // Metrics and the access log hang off the raw response's `close`, which fires for normal
  // replies, hijacked streams and aborted connections alike.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    const t0 = process.hrtime.bigint();
    reply.raw.setHeader('x-request-id', request.id);
    reply.raw.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.raw.headersSent || reply.raw.writableFinished ? reply.raw.statusCode : 499;
      const labels = { method: request.method, route, status_code: String(status) };
      http.requests.inc(labels);
      http.duration.observe(labels, seconds);
      // probes (Prometheus, Docker's healthcheck, the gateway's and rag's background checks every few
      // seconds) would be most of the log: at debug level, and a failing /health at info
      const level = !PROBE_ROUTE_SET.has(route) || (route === '/health' && status >= 400) ? 'info' : 'debug';
      if (log.isLevelEnabled(level)) {
        request.log[level](
          { method: request.method, url: request.url, status, duration_ms: Math.round(seconds * 1e4) / 10 },
          'request',
        );
      }
    });
    done();
  });

  app.setErrorHandler((err, request, reply) => {
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.debug({ err: (err as Error).message }, 'request rejected');
    if (headers) void reply.headers(headers);
    return reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new HttpError(404, `Unknown route ${request.method} ${request.url.split('?')[0]}`, {
      code: 'not_found',
    });
    return reply.code(404).type('application/json').send(e.toBody());
  });

  app.get('/livez', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = isReady();
    return reply
      .code(ok ? 200 : 503)
      .send({ status: ok ? 'ready' : state === 'ready' ? 'not_ready' : state });
  });
  if (opts.healthRoute !== false) {
    app.get('/health', async (_req, reply) => {
      const cs = checks();
      const ready = isReady();
      const anyBad = [...cs.values()].some((c) => c.state !== 'up');
      const status = !ready ? (state === 'ready' ? 'down' : state) : anyBad ? 'degraded' : 'ok';
      return reply.code(ready ? 200 : 503).send({
        status,
        service: opts.name,
        version: opts.version,
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
        checks: Object.fromEntries(cs),
        ...(opts.healthDetail?.() ?? {}),
      });
    });
  }
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });

  let closing: Promise<void> | undefined;
  const service: Service = {
    app,
    registry,
    http,
    log,
    get state() {
      return state;
    },
    setReady(next) {
      if (state === 'stopping') return;
      if (next !== state) log.info({ from: state, to: next }, 'state');
      state = next;
    },
    isReady,
    addCheck(checkOpts) {
      const c = new Check(checkOpts);
      checkList.set(c.name, c);
      return c;
    },
    checks,
    async listen() {
      const addr = await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
      for (const c of checkList.values()) c.start();
      const url = addr.replace('[::1]', '127.0.0.1');
      log.info({ url }, 'listening');
      return url;
    },
    close(signal) {
      closing ??= (async () => {
        state = 'stopping';
        for (const c of checkList.values()) c.stop();
        log.info({ grace_ms: graceMs, ...(signal ? { signal } : {}) }, 'shutting down');
        const closed = app.close();
        // Keep-alive sockets turn idle as their last response ends; close them as they do so the
        // server stops as soon as the in-flight work is done rather than after the grace period.
        const sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
        let timer: NodeJS.Timeout | undefined;
        const late = await Promise.race([
          closed.then(() => false),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
        ]);
        clearTimeout(timer);
        clearInterval(sweeper);
        if (late) {
          log.warn('grace period over, closing remaining connections');
          app.server.closeAllConnections();
          await closed;
        }
        log.info('stopped');
      })();
      return closing;
    },
  };
  return service;
}
