/**
 * Runs one tool call that passed RBAC: rate limit, then (for destructive tools) the approval gate,
 * then the tool itself. Every outcome is a tool result; failures carry `isError: true` and a
 * message that says what to do next. Counted in mcp_tool_calls_total / mcp_tool_duration_seconds.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { ApprovalStore } from './approvals.js';
import { isBusy } from './db.js';
import type { McpServerConfig } from './config.js';
import type { CallStatus, McpMetrics } from './metrics.js';
import { describeRate, type RateLimiter } from './rate-limit.js';
import type { Principal } from './rbac.js';
import { ToolError, type ToolDef } from './tools/index.js';

export interface RunnerDeps {
  cfg: McpServerConfig;
  metrics: McpMetrics;
  limiter: RateLimiter;
  approvals: ApprovalStore;
  healthTargets: ReadonlyMap<string, string>;
  log: Logger;
  now: () => number;
}

function result(
  text: string,
  data: Record<string, unknown>,
  isError = false,
): CallToolResult & { structuredContent: Record<string, unknown> } {
  return {
    content: [{ type: 'text', text }],
    structuredContent: data,
    ...(isError ? { isError: true } : {}),
  };
}

export class ToolRunner {
  constructor(private readonly deps: RunnerDeps) {}

  async run(
    def: ToolDef,
    rawArgs: Record<string, unknown>,
    principal: Principal,
    signal: AbortSignal,
    /** This server as the caller reached it: where an approver approves, in a pending message. */
    publicUrl: string,
  ): Promise<CallToolResult> {
    const t0 = performance.now();
    const { status, out } = await this.execute(def, rawArgs, principal, signal, publicUrl).catch(
      (e: unknown) => {
        if (!isBusy(e)) throw e;
        this.deps.log.warn({ err: (e as Error).message, tool: def.name }, 'database busy');
        return {
          status: 'error' as const,
          out: result(
            `The approval store is busy; nothing was run. Retry after 1 s.`,
            {
              error: 'database_busy',
              retry_after_seconds: 1,
            },
            true,
          ),
        };
      },
    );
    this.deps.metrics.toolCalls.inc({ tool: def.name, status });
    this.deps.metrics.toolDuration.observe({ tool: def.name }, (performance.now() - t0) / 1000);
    this.deps.log.info(
      {
        tool: def.name,
        token_id: principal.tokenId,
        status,
        duration_ms: Math.round(performance.now() - t0),
      },
      'tool call',
    );
    return out;
  }

  private async execute(
    def: ToolDef,
    rawArgs: Record<string, unknown>,
    principal: Principal,
    signal: AbortSignal,
    publicUrl: string,
  ): Promise<{ status: CallStatus; out: CallToolResult }> {
    const { metrics, limiter, approvals } = this.deps;
    const taken = limiter.take(principal.tokenId, def.name);
    if (!taken.ok) {
      metrics.rateLimited.inc({ tool: def.name });
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      const at = new Date(this.deps.now() + taken.retryAfterMs).toISOString();
      return {
        status: 'rate_limited',
        out: result(
          `Rate limit exceeded for ${def.name} (${describeRate(taken.limit)} per token); nothing was run. ` +
            `Retry after ${seconds} s (at ${at}).`,
          {
            error: 'rate_limited',
            retry_after_seconds: seconds,
            retry_at: at,
            limit: describeRate(taken.limit),
          },
          true,
        ),
      };
    }

    const { approval_id: approvalId, ...args } = rawArgs as { approval_id?: string } & Record<
      string,
      unknown
    >;
    if (def.destructive) {
      if (approvalId === undefined) {
        const a = approvals.request(principal, def.name, args);
        return {
          status: 'pending_approval',
          out: result(
            `PENDING APPROVAL: ${def.name} was NOT run. Approval ${a.id} waits for an approver ` +
              `(\`aisuite approvals approve ${a.id}\`, or POST ${publicUrl}/approvals/${a.id}/approve) ` +
              `until ${a.expires_at}. ` +
              `Once approved, call ${def.name} again with the same arguments and approval_id "${a.id}".`,
            { status: 'pending_approval', approval_id: a.id, expires_at: a.expires_at, tool: def.name },
          ),
        };
      }
      const r = approvals.redeem(approvalId, principal, def.name, args);
      if (r.kind === 'pending') {
        return {
          status: 'pending_approval',
          out: result(
            `PENDING APPROVAL: approval ${approvalId} has not been decided yet; ${def.name} was NOT run. ` +
              `Try again later (it expires at ${r.approval.expires_at}).`,
            {
              status: 'pending_approval',
              approval_id: approvalId,
              expires_at: r.approval.expires_at,
              tool: def.name,
            },
          ),
        };
      }
      if (r.kind === 'refused')
        return {
          status: 'approval_refused',
          out: result(r.message, { error: 'approval_refused', approval_id: approvalId }, true),
        };
    } else if (approvalId !== undefined) {
      // Non-destructive tools have no approval_id in their schema, so the SDK strips it; a guard anyway.
      return {
        status: 'error',
        out: result(`${def.name} does not take approval_id`, { error: 'invalid_arguments' }, true),
      };
    }

    const outcome = await this.invoke(def, args, signal);
    if (def.destructive && approvalId !== undefined)
      approvals.recordResult(approvalId, outcome.status === 'ok' ? 'ok' : 'error');
    return outcome;
  }

  private async invoke(
    def: ToolDef,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<{ status: 'ok' | 'error'; out: CallToolResult }> {
    try {
      const out = await def.run(args as never, {
        cfg: this.deps.cfg,
        signal,
        healthTargets: this.deps.healthTargets,
      });
      return { status: 'ok', out: result(out.text, out.data) };
    } catch (e) {
      if (e instanceof ToolError)
        return { status: 'error', out: result(e.message, { error: 'tool_failed', ...e.data }, true) };
      this.deps.log.error({ err: e, tool: def.name }, 'tool failed unexpectedly');
      return {
        status: 'error',
        out: result(`${def.name} failed with an internal error`, { error: 'internal_error' }, true),
      };
    }
  }
}
