/**
 * api-gateway: the suite's OpenAI-compatible front for the `chat` and `code` model groups, with
 * LiteLLM-style routing (retries, fallbacks, cooldown), an API key, SSE passthrough and metrics.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, serviceFromEnv, type CheckResult, type RunningService } from '../kit/index.js';
import { apiKeyChecker } from './auth.js';
import { Backend } from './backend.js';
import { loadGatewayConfig } from './config.js';
import { createGatewayMetrics, initialiseSeries } from './metrics.js';
import { proxyEmbeddings, proxyGeneration, type ProxyDeps } from './proxy.js';
import { routeRequest } from './routing.js';

export { createGatewayMetrics } from './metrics.js';
export { gatewayEnv, loadGatewayConfig } from './config.js';

export const VERSION = '0.1.0';

function validate(
  kind: 'chat' | 'text',
  body: unknown,
): { model: string; stream: boolean; obj: Record<string, unknown> } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'Request body must be a JSON object', { code: 'invalid_body' });
  }
  const obj = body as Record<string, unknown>;
  if (typeof obj.model !== 'string' || obj.model === '') {
    throw new HttpError(400, "you must provide a model parameter ('model': 'chat' or 'code')", {
      param: 'model',
      code: 'missing_model',
    });
  }
  if (kind === 'chat' && (!Array.isArray(obj.messages) || obj.messages.length === 0)) {
    throw new HttpError(400, "'messages' is required and must be a non-empty array", {
      param: 'messages',
      code: 'missing_messages',
    });
  }
  if (kind === 'text' && typeof obj.prompt !== 'string' && !Array.isArray(obj.prompt)) {
    throw new HttpError(400, "'prompt' is required (a string or an array of strings)", {
      param: 'prompt',
      code: 'missing_prompt',
    });
  }
  if (obj.stream !== undefined && typeof obj.stream !== 'boolean') {
    throw new HttpError(400, "'stream' must be a boolean", { param: 'stream', code: 'invalid_type' });
  }
  return { model: obj.model, stream: obj.stream === true, obj };
}

export async function start(environment: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const cfg = loadGatewayConfig(environment);
  const r = cfg.router;
  const backends = new Map(
    r.modelList.map((d) => [
      d.modelName,
      new Backend(d.modelName, d.apiBase, {
        connections: cfg.maxConnections,
        allowedFails: r.allowedFails,
        cooldownMs: r.cooldownMs,
      }),
    ]),
  );
  const groups = new Set(backends.keys());
  const embedding = cfg.embeddingUrl
    ? new Backend('embedding', cfg.embeddingUrl, {
        connections: cfg.maxConnections,
        allowedFails: 1_000_000,
        cooldownMs: 0,
      })
    : undefined;

  const svc = serviceFromEnv(cfg.kit, {
    name: 'api-gateway',
    version: VERSION,
    bodyLimit: cfg.bodyLimit,
    keepRawBody: true,
    // Ready while at least one model backend can serve: fallbacks cover the others.
    readiness: (checks) =>
      [...checks.values()].some((c) => c.hard && (c.state === 'up' || c.state === 'degraded')),
    healthDetail: () => ({
      backends: Object.fromEntries(
        [...backends.values()].map((b) => [
          b.name,
          {
            state: b.stateName(),
            url: b.baseUrl,
            recent_failures: b.recentFailures(),
            cooldown_remaining_ms: b.cooldownRemaining(),
          },
        ]),
      ),
      router: {
        fallbacks: r.fallbacks,
        num_retries: r.numRetries,
        timeout_ms: r.timeoutMs,
        allowed_fails: r.allowedFails,
        cooldown_time_ms: r.cooldownMs,
        code_routing: r.codeRouting.enabled,
      },
    }),
  });
  const metrics = createGatewayMetrics(svc.registry, () =>
    [...backends.values()].map((b) => [b.name, b.state()] as [string, number]),
  );
  initialiseSeries(metrics, groups, r);
  const deps: ProxyDeps = { backends, cfg: r, metrics, log: svc.log };

  for (const b of [...backends.values(), ...(embedding ? [embedding] : [])]) {
    const check = svc.addCheck({
      name: b.name,
      hard: b !== embedding,
      intervalMs: r.healthCheckIntervalMs,
      timeoutMs: Math.min(2_000, r.healthCheckIntervalMs),
      run: (signal) => b.check(signal),
    });
    check.onChange((res: CheckResult, prev: CheckResult) => {
      b.health = res;
      if (res.state !== prev.state)
        svc.log.info(
          { backend: b.name, from: prev.state, to: res.state, error: res.error },
          'backend health',
        );
    });
  }

  const checkKey = apiKeyChecker(cfg.apiKey);
  svc.app.addHook('onRequest', async (req: FastifyRequest) => {
    if (req.url.startsWith('/v1/')) checkKey(req.headers.authorization);
  });

  svc.app.get('/v1/models', async () => ({
    object: 'list',
    data: [...groups].map((id) => ({ id, object: 'model', created: 0, owned_by: 'aisuite' })),
  }));
  const generation =
    (kind: 'chat' | 'text', path: string) => async (req: FastifyRequest, reply: FastifyReply) => {
      const { model, stream, obj } = validate(kind, req.body);
      const route = routeRequest(model, obj, r, groups);
      await proxyGeneration(req, reply, deps, route, path, stream);
      return reply;
    };
  svc.app.post('/v1/chat/completions', generation('chat', '/v1/chat/completions'));
  svc.app.post('/v1/completions', generation('text', '/v1/completions'));
  svc.app.post('/v1/embeddings', async (req, reply) => {
    if (!embedding)
      throw new HttpError(404, 'Embeddings are not enabled on this gateway (EMBEDDING_URL=off)', {
        code: 'not_enabled',
      });
    await proxyEmbeddings(req, reply, embedding, deps);
    return reply;
  });

  const url = await svc.listen();
  svc.setReady('ready');
  svc.log.info({ backends: r.modelList, embedding: cfg.embeddingUrl ?? 'off' }, 'routing');
  return {
    url,
    close: async (signal) => {
      await svc.close(signal);
      await Promise.all([...backends.values(), ...(embedding ? [embedding] : [])].map((b) => b.close()));
    },
  };
}
