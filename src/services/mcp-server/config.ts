/**
 * mcp-server configuration: every variable with its default and meaning (docs/services.md and
 * docs/MCP.md render the same spec).
 */
import { env, kitEnv, parseDuration, type EnvValues } from '../kit/index.js';

/** A rate as `<calls>/<window>`: `60/m`, `10/s`, `500/h`, `5/30s`. */
export interface Rate {
  calls: number;
  windowMs: number;
}

/** Parses `60/m` (also `5/30s`, `100/1h`); throws with the reason on a bad value. */
export function parseRate(raw: string): Rate {
  const m = /^(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h)$/.exec(raw.trim());
  if (!m) throw new Error('not a rate like 60/m');
  const calls = Number(m[1]);
  const windowMs = parseDuration(`${m[2] ?? '1'}${m[3]}`);
  if (calls < 1 || windowMs <= 0) throw new Error('calls and window must be positive');
  return { calls, windowMs };
}

function rate(opts: { default: string; doc: string }) {
  const base = env.string({ default: opts.default, doc: opts.doc });
  return {
    ...base,
    allowed: 'a rate like 60/m, 10/s, 5/30s',
    parse: (raw?: string) => parseRate(base.parse(raw)),
  };
}

/** `chat=10/m,rag_index=5/m` -> per-tool rates. */
function toolRates(opts: { doc: string }) {
  const base = env.string({ doc: opts.doc });
  return {
    ...base,
    allowed: 'comma-separated tool=rate pairs, e.g. chat=10/m,rag_index=5/m',
    parse(raw?: string): Map<string, Rate> {
      const out = new Map<string, Rate>();
      const text = base.parse(raw);
      if (!text) return out;
      for (const part of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const eq = part.indexOf('=');
        if (eq <= 0) throw new Error(`"${part}" is not tool=rate`);
        out.set(part.slice(0, eq).trim(), parseRate(part.slice(eq + 1)));
      }
      return out;
    },
  };
}

/** `rag=http://rag:8080/health,api-gateway=http://api-gateway:8080/health` -> name -> URL. */
function healthTargets(opts: { doc: string }) {
  const base = env.string({ doc: opts.doc });
  return {
    ...base,
    allowed: 'comma-separated name=url pairs, e.g. rag=http://rag:8080/health',
    parse(raw?: string): Map<string, string> | undefined {
      const text = base.parse(raw);
      if (!text) return undefined;
      const out = new Map<string, string>();
      for (const part of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const eq = part.indexOf('=');
        if (eq <= 0) throw new Error(`"${part}" is not name=url`);
        const url = part.slice(eq + 1).trim();
        const u = new URL(url); // throws "Invalid URL"
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${url} is not http(s)`);
        out.set(part.slice(0, eq).trim(), url);
      }
      return out;
    },
  };
}

function hostList(opts: { doc: string }) {
  const base = env.string({ doc: opts.doc });
  return {
    ...base,
    allowed: 'comma-separated host:port values, e.g. 127.0.0.1:8020,localhost:8020',
    parse(raw?: string): string[] | undefined {
      const text = base.parse(raw);
      if (!text) return undefined;
      return text
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean);
    },
  };
}

export const mcpServerEnv = {
  ...kitEnv,
  MCP_ADMIN_TOKEN: env.string({
    required: true,
    secret: true,
    pattern: /^\S{16,}$/,
    doc: 'bootstrap admin bearer token (from the suite secrets file); its sha256 is stored, never the token',
  }),
  MCP_DB_PATH: env.string({
    default: './mcp.sqlite',
    doc: 'SQLite file for tokens, roles, grants, audit and approvals (WAL mode; the container uses /data/rbac.sqlite)',
  }),
  MCP_DB_BUSY_TIMEOUT: env.duration({
    default: 5_000,
    max: 60_000,
    doc: 'how long a database write waits for another process holding the lock (a backup) before answering 503',
  }),
  RAG_URL: env.url({ default: 'http://rag:8080', doc: 'base URL of the rag service' }),
  GATEWAY_URL: env.url({ default: 'http://api-gateway:8080', doc: 'base URL of the api-gateway' }),
  GATEWAY_API_KEY: env.string({ secret: true, doc: 'bearer key the `chat` tool sends to the gateway' }),
  MCP_ALLOWED_HOSTS: hostList({
    doc: 'Host header values accepted on /mcp (DNS-rebinding protection); default 127.0.0.1:<port>,localhost:<port>',
  }),
  SUITE_HEALTH_TARGETS: healthTargets({
    doc: 'name=url health endpoints for the suite_health tool; default rag and api-gateway from RAG_URL/GATEWAY_URL',
  }),
  MCP_RATE_LIMIT: rate({
    default: '60/m',
    doc: 'token bucket per token and tool: capacity = calls, refilled evenly over the window',
  }),
  MCP_RATE_LIMITS: toolRates({ doc: 'per-tool overrides of MCP_RATE_LIMIT, e.g. chat=10/m,rag_index=5/m' }),
  MCP_APPROVAL_TTL: env.duration({
    default: 15 * 60_000,
    doc: 'a pending approval expires this long after it was requested; an approved one this long after approval',
  }),
  MCP_APPROVAL_ALLOW_SELF: env.bool({
    default: false,
    doc: 'let a token approve its own request (off: a second person must approve)',
  }),
  MCP_AUDIT_RETENTION: env.duration({
    default: 90 * 24 * 3_600_000,
    doc: 'audit rows older than this are deleted (hourly)',
  }),
  MCP_UPSTREAM_TIMEOUT: env.duration({
    default: 60_000,
    doc: 'timeout of one call to rag or the gateway from a tool',
  }),
  MCP_HEALTH_TIMEOUT: env.duration({ default: 3_000, doc: 'timeout per service of the suite_health tool' }),
};

export type McpServerConfig = EnvValues<typeof mcpServerEnv>;
