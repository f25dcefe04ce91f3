/**
 * Settings of the package's services from aisuite.yaml (`gateway:`, `mcp:`), as the variables the
 * services read (docs/services.md). Unset keys leave the service's own defaults.
 */

/** The model groups the gateway serves; fallbacks go from one to others. */
export const MODEL_GROUPS = ['chat', 'code'] as const;
export type ModelGroup = (typeof MODEL_GROUPS)[number];

export interface GatewaySettings {
  /** Per attempt: until the whole body (non-streamed) or the first token (streamed). */
  readonly timeoutSeconds?: number;
  /** Longest silence between streamed chunks. */
  readonly streamTimeoutSeconds?: number;
  /** Extra attempts on the same backend after a retryable failure. */
  readonly numRetries?: number;
  /** Failures per minute before a backend is cooled down. */
  readonly allowedFails?: number;
  /** How long a cooled-down backend gets no traffic. */
  readonly cooldownSeconds?: number;
  /** Groups tried in order when a group fails (`{chat: [code]}`; `[]`: none). */
  readonly fallbacks?: Readonly<Partial<Record<ModelGroup, readonly ModelGroup[]>>>;
  /** Route a `chat` request whose last message looks like code to `code`. */
  readonly codeRouting?: boolean;
}

/** The environment the gateway's container gets for these settings. */
export function gatewayEnvironment(settings: GatewaySettings | undefined): Record<string, string> {
  if (!settings) return {};
  const env: Record<string, string> = {};
  const set = (name: string, value: string | number | boolean | undefined, unit = '') => {
    if (value !== undefined) env[name] = `${String(value)}${unit}`;
  };
  set('ROUTER_TIMEOUT', settings.timeoutSeconds, 's');
  set('ROUTER_STREAM_TIMEOUT', settings.streamTimeoutSeconds, 's');
  set('ROUTER_NUM_RETRIES', settings.numRetries);
  set('ROUTER_ALLOWED_FAILS', settings.allowedFails);
  set('ROUTER_COOLDOWN_TIME', settings.cooldownSeconds, 's');
  set('ROUTER_CODE_ROUTING', settings.codeRouting);
  if (settings.fallbacks) {
    // LiteLLM's list of {group: [fallbacks]}; a group not named keeps no fallback
    const list = MODEL_GROUPS.filter((g) => settings.fallbacks?.[g] !== undefined).map((g) => ({
      [g]: [...(settings.fallbacks?.[g] ?? [])],
    }));
    env.ROUTER_FALLBACKS = JSON.stringify(list);
  }
  return env;
}

/** A rate as the mcp-server reads it: calls per window (`60/m`, `10/s`, `5/30s`). */
export const RATE_PATTERN = '^[1-9][0-9]*/([1-9][0-9]*)?(ms|s|m|h)$';

export interface McpSettings {
  /** Tool calls per token and tool (token bucket). */
  readonly rateLimit?: string;
  /** How long a pending approval waits, and an approved one stays usable. */
  readonly approvalTtlMinutes?: number;
  /** Let a token approve its own request (a single-operator setup); off: a second token must. */
  readonly allowSelfApproval?: boolean;
}

/** The environment the mcp-server's container gets for these settings. */
export function mcpEnvironment(settings: McpSettings | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (settings?.rateLimit !== undefined) env.MCP_RATE_LIMIT = settings.rateLimit;
  if (settings?.approvalTtlMinutes !== undefined) env.MCP_APPROVAL_TTL = `${settings.approvalTtlMinutes}m`;
  if (settings?.allowSelfApproval !== undefined)
    env.MCP_APPROVAL_ALLOW_SELF = String(settings.allowSelfApproval);
  return env;
}
