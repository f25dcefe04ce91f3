/**
 * mcp-server: the suite's Model Context Protocol server (Streamable HTTP at /mcp, SDK 1.32.2) with
 * RBAC in SQLite, an approval workflow for destructive tools and per-token rate limits.
 * See docs/MCP.md (agents, roles, approval API) and docs/services.md (variables, metrics).
 */
import { HttpError, loadEnv, serviceFromEnv, type RunningService } from '../kit/index.js';
import { registerAdminApi } from './admin-api.js';
import { ApprovalStore } from './approvals.js';
import { mcpServerEnv } from './config.js';
import { isBusy, openDb } from './db.js';
import { registerMcpEndpoint } from './mcp-endpoint.js';
import { createMcpMetrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { RbacStore } from './rbac.js';
import { ToolRunner } from './tool-runner.js';

export { createMcpMetrics } from './metrics.js';
export { mcpServerEnv } from './config.js';

export const VERSION = '0.1.0';

export interface StartOptions {
  /** Clock in ms since the epoch (tests move it to expire approvals and refill rate limits). */
  now?: () => number;
}

export async function start(
  environment: NodeJS.ProcessEnv = process.env,
  opts: StartOptions = {},
): Promise<RunningService> {
  const cfg = loadEnv(mcpServerEnv, environment);
  const now = opts.now ?? Date.now;
  const db = openDb(cfg.MCP_DB_PATH, cfg.MCP_DB_BUSY_TIMEOUT);
  const svc = serviceFromEnv(cfg, { name: 'mcp-server', version: VERSION, bodyLimit: 8 * 1024 * 1024 });
  const metrics = createMcpMetrics(svc.registry);
  const rbac = new RbacStore(db, metrics, now);
  rbac.bootstrap(cfg.MCP_ADMIN_TOKEN);
  const approvals = new ApprovalStore(db, metrics, cfg.MCP_APPROVAL_TTL, now);
  metrics.setPendingSource(() => approvals.pendingCount());
  const limiter = new RateLimiter(cfg.MCP_RATE_LIMIT, cfg.MCP_RATE_LIMITS, now);
  const healthTargets =
    cfg.SUITE_HEALTH_TARGETS ??
    new Map([
      ['rag', `${cfg.RAG_URL}/health`],
      ['api-gateway', `${cfg.GATEWAY_URL}/health`],
    ]);

  let allowedHosts: string[] = cfg.MCP_ALLOWED_HOSTS ?? [];
  const runner = new ToolRunner({
    cfg,
    metrics,
    limiter,
    approvals,
    healthTargets,
    log: svc.log,
    now,
  });
  // Routes live in a child context whose error handler turns a database still locked after the busy
  // timeout into 503 + Retry-After; everything else goes on to the kit's handler (the envelope).
  void svc.app.register(async (app) => {
    app.setErrorHandler((err) => {
      if (!isBusy(err)) throw err;
      svc.log.warn({ err: (err as Error).message }, 'database busy');
      throw new HttpError(503, 'The database is busy (locked by another process); retry shortly', {
        code: 'database_busy',
        headers: { 'retry-after': '1' },
      });
    });
    registerMcpEndpoint({
      app,
      rbac,
      metrics,
      runner,
      version: VERSION,
      allowedHosts: () => allowedHosts,
    });
    registerAdminApi({ svc, app, rbac, approvals, metrics, allowSelfApproval: cfg.MCP_APPROVAL_ALLOW_SELF });
  });

  // The database is the one hard dependency; rag and the gateway failing shows in tool results.
  svc.addCheck({
    name: 'database',
    hard: true,
    intervalMs: 10_000,
    timeoutMs: 2_000,
    run: async () => {
      db.prepare('SELECT count(*) FROM roles').get();
      const pragma = (name: string): unknown => db.pragma(name, { simple: true });
      return {
        state: 'up',
        detail: {
          path: cfg.MCP_DB_PATH,
          journal_mode: pragma('journal_mode'),
          foreign_keys: pragma('foreign_keys') === 1,
          busy_timeout_ms: pragma('busy_timeout'),
        },
      };
    },
  });

  const timers = [
    setInterval(() => approvals.expireDue(), Math.min(5_000, Math.max(250, cfg.MCP_APPROVAL_TTL / 4))),
    setInterval(() => limiter.sweep(), 60_000),
    setInterval(() => {
      const n = rbac.pruneAudit(cfg.MCP_AUDIT_RETENTION);
      if (n > 0) svc.log.info({ deleted: n }, 'audit rows past retention deleted');
    }, 3_600_000),
  ];
  timers.forEach((t) => t.unref());

  let url: string;
  try {
    url = await svc.listen();
  } catch (e) {
    timers.forEach(clearInterval);
    db.close();
    throw e;
  }
  if (!cfg.MCP_ALLOWED_HOSTS) {
    const port = new URL(url).port;
    allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  }
  svc.log.info(
    {
      db: cfg.MCP_DB_PATH,
      allowed_hosts: allowedHosts,
      rate_limit: `${cfg.MCP_RATE_LIMIT.calls}/${cfg.MCP_RATE_LIMIT.windowMs}ms`,
      approval_ttl_ms: cfg.MCP_APPROVAL_TTL,
      health_targets: [...healthTargets.keys()],
    },
    'mcp-server configured',
  );
  svc.setReady('ready');
  return {
    url,
    close: async (signal) => {
      timers.forEach(clearInterval);
      await svc.close(signal);
      db.close();
    },
  };
}
