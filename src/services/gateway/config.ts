/**
 * Gateway configuration in LiteLLM's words (model_list, fallbacks, num_retries, timeout,
 * stream_timeout, allowed_fails, cooldown_time, retry_after). Sources, lowest first: built-in
 * defaults, the optional ROUTER_CONFIG file (YAML or JSON, LiteLLM's layout), then every variable
 * that is explicitly set in the environment.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EnvError, env, kitEnv, loadEnv, parseDuration, type EnvValues } from '../kit/index.js';

/** A chat prompt whose last user message matches this is routed to `code` (when that group exists). */
export const DEFAULT_CODE_PATTERN =
  '```|^\\s*(def|class|import|function|const|let|var|public|private|package|#include|fn|func|SELECT|INSERT|UPDATE)\\s|[;{}]\\s*$';

export const gatewayEnv = {
  ...kitEnv,
  GATEWAY_API_KEY: env.string({
    required: true,
    secret: true,
    doc: 'API key clients send as `Authorization: Bearer <key>` (never logged)',
  }),
  CHAT_BACKEND_URL: env.url({
    default: 'http://inference-chat:8080',
    doc: 'base URL of the `chat` model group backend',
  }),
  CODE_BACKEND_URL: env.url({
    default: 'http://inference-code:8080',
    doc: 'base URL of the `code` model group backend',
  }),
  EMBEDDING_URL: env.string({
    default: 'http://embedding:8080',
    pattern: /^(off|https?:\/\/\S+)$/,
    doc: '`/v1/embeddings` is passed through to this service; `off` disables the route',
  }),
  ROUTER_CONFIG: env.string({
    doc: 'optional YAML/JSON file in LiteLLM layout (model_list, router_settings); env variables that are set win',
  }),
  ROUTER_NUM_RETRIES: env.int({
    default: 2,
    min: 0,
    max: 10,
    doc: 'num_retries: extra attempts on the same backend after a retryable failure',
  }),
  ROUTER_TIMEOUT: env.duration({
    default: 60_000,
    bareUnit: 's',
    doc: 'timeout: per attempt, until the full body (non-streamed) or the first token (streamed)',
  }),
  ROUTER_STREAM_TIMEOUT: env.duration({
    default: 30_000,
    bareUnit: 's',
    doc: 'stream_timeout: longest silence between streamed chunks',
  }),
  ROUTER_ALLOWED_FAILS: env.int({
    default: 3,
    min: 0,
    max: 1000,
    doc: 'allowed_fails: failures per minute a backend may have before it is cooled down',
  }),
  ROUTER_COOLDOWN_TIME: env.duration({
    default: 5_000,
    bareUnit: 's',
    doc: 'cooldown_time: how long a cooled-down backend gets no traffic',
  }),
  ROUTER_RETRY_AFTER: env.duration({
    default: 0,
    bareUnit: 's',
    doc: 'retry_after: wait before retrying the same backend',
  }),
  ROUTER_FALLBACKS: env.string({
    default: '[{"chat":["code"]},{"code":["chat"]}]',
    doc: 'fallbacks: JSON list of {group: [fallback groups]} tried in order when a group fails',
  }),
  ROUTER_CODE_ROUTING: env.bool({
    default: true,
    doc: 'route a `chat` request whose last user message looks like code to `code`',
  }),
  ROUTER_CODE_PATTERN: env.string({
    default: DEFAULT_CODE_PATTERN,
    doc: 'the regular expression (multiline) that decides "looks like code"',
  }),
  HEALTH_CHECK_INTERVAL: env.duration({
    default: 5_000,
    bareUnit: 's',
    doc: 'health_check_interval: how often each backend /health is checked in the background',
  }),
  GATEWAY_BODY_LIMIT: env.int({
    default: 1_048_576,
    min: 1024,
    max: 104_857_600,
    doc: 'largest request body in bytes (413 above)',
  }),
  GATEWAY_MAX_CONNECTIONS: env.int({
    default: 256,
    min: 1,
    max: 10_000,
    doc: 'keep-alive connections per backend (undici Pool)',
  }),
};

export interface ModelDeployment {
  /** The model group (LiteLLM `model_name`), also the backend's name in metrics. */
  modelName: string;
  apiBase: string;
}

export interface RouterConfig {
  modelList: ModelDeployment[];
  fallbacks: Record<string, string[]>;
  numRetries: number;
  timeoutMs: number;
  streamTimeoutMs: number;
  allowedFails: number;
  cooldownMs: number;
  retryAfterMs: number;
  codeRouting: { enabled: boolean; pattern: RegExp; target: string; from: string };
  healthCheckIntervalMs: number;
}

export interface GatewayConfig {
  kit: EnvValues<typeof kitEnv>;
  apiKey: string;
  embeddingUrl: string | undefined;
  bodyLimit: number;
  maxConnections: number;
  router: RouterConfig;
}

const seconds = z
  .union([z.number().nonnegative(), z.string()])
  .transform((v) => (typeof v === 'number' ? v * 1000 : parseDuration(v, 's')));
const fallbackList = z.array(z.record(z.string(), z.array(z.string())));
const fileSchema = z
  .object({
    model_list: z
      .array(
        z
          .object({ model_name: z.string().min(1), litellm_params: z.object({ api_base: z.url() }).loose() })
          .loose(),
      )
      .optional(),
    router_settings: z
      .object({
        num_retries: z.number().int().min(0).max(10).optional(),
        timeout: seconds.optional(),
        stream_timeout: seconds.optional(),
        allowed_fails: z.number().int().min(0).optional(),
        cooldown_time: seconds.optional(),
        retry_after: seconds.optional(),
        fallbacks: fallbackList.optional(),
        health_check_interval: seconds.optional(),
        code_routing: z
          .object({ enabled: z.boolean().optional(), pattern: z.string().optional() })
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

function parseFallbacks(list: Array<Record<string, string[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of list)
    for (const [from, to] of Object.entries(entry)) out[from] = [...(out[from] ?? []), ...to];
  return out;
}

function compilePattern(source: string, where: string): RegExp {
  try {
    return new RegExp(source, 'm');
  } catch (e) {
    throw new EnvError([`${where}: not a valid regular expression (${(e as Error).message})`]);
  }
}

/** Reads and validates the whole gateway configuration; throws EnvError (exit 2) on any problem. */
export function loadGatewayConfig(environment: NodeJS.ProcessEnv): GatewayConfig {
  const e = loadEnv(gatewayEnv, environment);
  const isSet = (name: keyof typeof gatewayEnv): boolean => (environment[name] ?? '').trim() !== '';
  let file: z.infer<typeof fileSchema> = {};
  if (e.ROUTER_CONFIG) {
    let text: string;
    try {
      text = readFileSync(e.ROUTER_CONFIG, 'utf8');
    } catch (err) {
      throw new EnvError([
        `ROUTER_CONFIG=${JSON.stringify(e.ROUTER_CONFIG)}: cannot read (${(err as Error).message})`,
      ]);
    }
    const parsed = fileSchema.safeParse(parseYaml(text));
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (i) => `ROUTER_CONFIG ${e.ROUTER_CONFIG}: ${i.path.join('.')}: ${i.message}`,
      );
      throw new EnvError(issues);
    }
    file = parsed.data;
  }
  const rs = file.router_settings ?? {};
  const pick = <T>(name: keyof typeof gatewayEnv, envValue: T, fileValue: T | undefined): T =>
    isSet(name) || fileValue === undefined ? envValue : fileValue;

  let fallbacks: Record<string, string[]>;
  try {
    fallbacks = parseFallbacks(fallbackList.parse(JSON.parse(e.ROUTER_FALLBACKS)));
  } catch {
    throw new EnvError([
      `ROUTER_FALLBACKS=${JSON.stringify(e.ROUTER_FALLBACKS)}: not valid; allowed: a JSON list like [{"chat":["code"]},{"code":["chat"]}]`,
    ]);
  }
  if (rs.fallbacks && !isSet('ROUTER_FALLBACKS')) fallbacks = parseFallbacks(rs.fallbacks);

  const deployments = new Map<string, string>();
  for (const m of file.model_list ?? []) {
    if (deployments.has(m.model_name)) {
      throw new EnvError([
        `ROUTER_CONFIG ${e.ROUTER_CONFIG}: model_list has model_name "${m.model_name}" twice (one deployment per group)`,
      ]);
    }
    deployments.set(m.model_name, m.litellm_params.api_base.replace(/\/+$/, ''));
  }
  if (isSet('CHAT_BACKEND_URL') || !deployments.has('chat')) deployments.set('chat', e.CHAT_BACKEND_URL);
  if (isSet('CODE_BACKEND_URL') || !deployments.has('code')) deployments.set('code', e.CODE_BACKEND_URL);
  for (const [from, tos] of Object.entries(fallbacks)) {
    for (const g of [from, ...tos]) {
      if (!deployments.has(g))
        throw new EnvError([
          `fallbacks: "${g}" is not a model group (known: ${[...deployments.keys()].join(', ')})`,
        ]);
    }
  }

  const codeEnabled = pick('ROUTER_CODE_ROUTING', e.ROUTER_CODE_ROUTING, rs.code_routing?.enabled);
  const patternSource = pick('ROUTER_CODE_PATTERN', e.ROUTER_CODE_PATTERN, rs.code_routing?.pattern);
  return {
    kit: { PORT: e.PORT, HOST: e.HOST, LOG_LEVEL: e.LOG_LEVEL, SHUTDOWN_GRACE: e.SHUTDOWN_GRACE },
    apiKey: e.GATEWAY_API_KEY,
    embeddingUrl: e.EMBEDDING_URL === 'off' ? undefined : e.EMBEDDING_URL.replace(/\/+$/, ''),
    bodyLimit: e.GATEWAY_BODY_LIMIT,
    maxConnections: e.GATEWAY_MAX_CONNECTIONS,
    router: {
      modelList: [...deployments].map(([modelName, apiBase]) => ({ modelName, apiBase })),
      fallbacks,
      numRetries: pick('ROUTER_NUM_RETRIES', e.ROUTER_NUM_RETRIES, rs.num_retries),
      timeoutMs: pick('ROUTER_TIMEOUT', e.ROUTER_TIMEOUT, rs.timeout),
      streamTimeoutMs: pick('ROUTER_STREAM_TIMEOUT', e.ROUTER_STREAM_TIMEOUT, rs.stream_timeout),
      allowedFails: pick('ROUTER_ALLOWED_FAILS', e.ROUTER_ALLOWED_FAILS, rs.allowed_fails),
      cooldownMs: pick('ROUTER_COOLDOWN_TIME', e.ROUTER_COOLDOWN_TIME, rs.cooldown_time),
      retryAfterMs: pick('ROUTER_RETRY_AFTER', e.ROUTER_RETRY_AFTER, rs.retry_after),
      healthCheckIntervalMs: pick('HEALTH_CHECK_INTERVAL', e.HEALTH_CHECK_INTERVAL, rs.health_check_interval),
      codeRouting: {
        enabled: codeEnabled && deployments.has('code'),
        pattern: compilePattern(patternSource, 'ROUTER_CODE_PATTERN'),
        from: 'chat',
        target: 'code',
      },
    },
  };
}
