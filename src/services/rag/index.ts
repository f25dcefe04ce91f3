/**
 * rag: retrieval-augmented generation over Postgres + pgvector. Documents are chunked, embedded by
 * the embedding service and stored with their vectors; a query returns the nearest chunks and an
 * answer generated through the api-gateway. See docs/services.md, "rag".
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadEnv, serviceFromEnv, type RunningService } from '../kit/index.js';
import { ragEnv } from './config.js';
import { createPool } from './db.js';
import { EmbeddingClient, GatewayClient } from './dependencies.js';
import { createRagMetrics } from './metrics.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { registerRagRoutes } from './routes.js';
import { RagStore } from './store.js';

export { createRagMetrics } from './metrics.js';
export { ragEnv } from './config.js';

export const VERSION = '0.1.0';

export async function start(environment: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const cfg = loadEnv(ragEnv, environment);
  const state: { store?: RagStore; schemaVersion?: number; migrationError?: string } = {};
  const svc = serviceFromEnv(cfg, {
    name: 'rag',
    version: VERSION,
    bodyLimit: cfg.MAX_BODY,
    healthDetail: () => ({
      schemaVersion: state.schemaVersion ?? null,
      schemaVersionExpected: SCHEMA_VERSION,
      ...(state.migrationError ? { migrationError: state.migrationError } : {}),
      embedding_url: cfg.EMBEDDING_URL,
      gateway_url: cfg.GATEWAY_URL,
      chat_model: cfg.CHAT_MODEL,
      chunk_size: cfg.CHUNK_SIZE,
      chunk_overlap: cfg.CHUNK_OVERLAP,
    }),
  });
  const metrics = createRagMetrics(svc.registry);
  const pool = createPool(cfg, (e) => svc.log.warn({ err: e.message }, 'idle postgres connection lost'));
  const embedding = new EmbeddingClient(cfg.EMBEDDING_URL, cfg.EMBEDDING_TIMEOUT, cfg.EMBED_BATCH);
  const gateway = new GatewayClient(
    cfg.GATEWAY_URL,
    cfg.GATEWAY_API_KEY,
    cfg.CHAT_MODEL,
    cfg.ANSWER_TIMEOUT,
    cfg.ANSWER_MAX_TOKENS,
  );

  const postgresCheck = svc.addCheck({
    name: 'postgres',
    hard: true,
    intervalMs: cfg.HEALTH_CHECK_INTERVAL,
    timeoutMs: 2_000,
    run: async () => {
      const r = await pool.query<{ v: string | null }>(
        "SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'",
      );
      return { state: 'up', detail: { pgvector: r.rows[0]?.v ?? null, schemaVersion: state.schemaVersion } };
    },
  });
  // Soft: without embedding, /index and /query answer 503 + Retry-After, but rag stays "ready" so
  // collections can still be listed and deleted, and the container is not restarted for it.
  svc.addCheck({
    name: 'embedding',
    hard: false,
    intervalMs: cfg.HEALTH_CHECK_INTERVAL,
    timeoutMs: 2_000,
    run: async (signal) => {
      const res = await fetch(`${cfg.EMBEDDING_URL}/health`, { signal });
      const h = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      const detail = { status: res.status, model: h.model, backend: h.backend, dimension: h.dimension };
      return { state: res.ok ? 'up' : 'down', detail, ...(res.ok ? {} : { error: `HTTP ${res.status}` }) };
    },
  });
  svc.addCheck({
    name: 'gateway',
    hard: false,
    intervalMs: cfg.HEALTH_CHECK_INTERVAL * 2,
    timeoutMs: 2_000,
    run: async (signal) => {
      const res = await fetch(`${cfg.GATEWAY_URL}/livez`, { signal });
      await res.body?.cancel();
      return res.ok ? 'up' : { state: 'down', error: `HTTP ${res.status}` };
    },
  });

  registerRagRoutes(svc, { cfg, metrics, embedding, gateway, store: () => state.store });
  const url = await svc.listen();

  // Postgres may still be starting: retry the migrations with backoff until they apply.
  let stopped = false;
  const migrated = (async () => {
    for (let attempt = 1, wait = 500; !stopped; attempt++, wait = Math.min(wait * 2, 10_000)) {
      try {
        const r = await migrate(pool);
        state.schemaVersion = r.schemaVersion;
        state.migrationError = undefined;
        if (r.schemaVersion > SCHEMA_VERSION) {
          svc.log.warn(
            { schemaVersion: r.schemaVersion, known: SCHEMA_VERSION },
            'database schema is newer than this rag version (rolled back?); serving with the known tables',
          );
        }
        svc.log.info({ applied: r.applied, schemaVersion: r.schemaVersion }, 'migrations done');
        state.store = new RagStore(pool, { prepare: cfg.PG_PREPARE });
        await postgresCheck.runNow();
        svc.setReady('ready');
        return;
      } catch (e) {
        state.migrationError = (e as Error).message;
        svc.log.warn({ attempt, retry_ms: wait, err: (e as Error).message }, 'migrations failed; retrying');
        await sleep(wait);
      }
    }
  })();

  return {
    url,
    close: async (signal) => {
      stopped = true;
      await svc.close(signal);
      await Promise.race([migrated, sleep(1_000)]);
      await pool.end().catch(() => undefined);
      await Promise.all([embedding.close(), gateway.close()]).catch(() => undefined);
    },
  };
}
