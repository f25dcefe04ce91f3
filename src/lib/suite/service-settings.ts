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

type Setting = [name: string, value: string | number | boolean | undefined, unit?: string];

/** A container environment: each setting that is set, its unit appended. */
function environmentOf(settings: readonly Setting[]): Record<string, string> {
  return Object.fromEntries(
    settings.flatMap(([name, value, unit = '']) => (value === undefined ? [] : [[name, `${value}${unit}`]])),
  );
}

/** The environment the gateway's container gets for these settings. */
export function gatewayEnvironment(settings: GatewaySettings | undefined): Record<string, string> {
  const fallbacks = settings?.fallbacks;
  return environmentOf([
    ['ROUTER_TIMEOUT', settings?.timeoutSeconds, 's'],
    ['ROUTER_STREAM_TIMEOUT', settings?.streamTimeoutSeconds, 's'],
    ['ROUTER_NUM_RETRIES', settings?.numRetries],
    ['ROUTER_ALLOWED_FAILS', settings?.allowedFails],
    ['ROUTER_COOLDOWN_TIME', settings?.cooldownSeconds, 's'],
    ['ROUTER_CODE_ROUTING', settings?.codeRouting],
    // LiteLLM's list of {group: [fallbacks]}; a group not named keeps no fallback
    [
      'ROUTER_FALLBACKS',
      fallbacks &&
        JSON.stringify(
          MODEL_GROUPS.filter((g) => fallbacks[g] !== undefined).map((g) => ({
            [g]: [...(fallbacks[g] ?? [])],
          })),
        ),
    ],
  ]);
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
  return environmentOf([
    ['MCP_RATE_LIMIT', settings?.rateLimit],
    ['MCP_APPROVAL_TTL', settings?.approvalTtlMinutes, 'm'],
    ['MCP_APPROVAL_ALLOW_SELF', settings?.allowSelfApproval],
  ]);
}
