import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { APPROVALS_REVIEW, RBAC_ADMIN, TOOL_NAMES } from './permissions.js';

/** Outcomes of a tool call that passed RBAC (`mcp_tool_calls_total{status}`). */
export const CALL_STATUSES = ['ok', 'error', 'pending_approval', 'approval_refused', 'rate_limited'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
/** Why a request was refused with 401 (`mcp_auth_failures_total{reason}`). */
export const AUTH_FAILURES = ['missing', 'invalid'] as const;
/** What a permission check is audited under: a tool, or the admin API's permission. */
export const CHECKED = [...TOOL_NAMES, APPROVALS_REVIEW, RBAC_ADMIN] as const;

export interface McpMetrics {
  permissionChecks: Counter<'result' | 'tool'>;
  toolCalls: Counter<'tool' | 'status'>;
  toolDuration: Histogram<'tool'>;
  approvalsPending: Gauge;
  approvals: Counter<'outcome'>;
  rateLimited: Counter<'tool'>;
  authFailures: Counter<'reason'>;
  /** Where `mcp_approvals_pending` reads its value at scrape time (the database). */
  setPendingSource(fn: () => number): void;
}

/**
 * Registers the mcp-server metrics on `registry`. Names are a contract with the dashboards and
 * alert rules: rename nothing without them.
 */
export function createMcpMetrics(registry: Registry): McpMetrics {
  let pending: () => number = () => 0;
  const metrics: McpMetrics = {
    permissionChecks: new Counter({
      name: 'rbac_permission_checks_total',
      help: 'RBAC permission checks by result (allowed|denied) and tool (or API permission)',
      labelNames: ['result', 'tool'],
      registers: [registry],
    }),
    toolCalls: new Counter({
      name: 'mcp_tool_calls_total',
      help: 'Tool calls that passed RBAC, by tool and status (ok|error|pending_approval|approval_refused|rate_limited)',
      labelNames: ['tool', 'status'],
      registers: [registry],
    }),
    toolDuration: new Histogram({
      name: 'mcp_tool_duration_seconds',
      help: 'Duration of tool calls that passed RBAC',
      labelNames: ['tool'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    approvalsPending: new Gauge({
      name: 'mcp_approvals_pending',
      help: 'Approvals waiting for an approver (not yet expired)',
      registers: [registry],
      collect() {
        this.set(pending());
      },
    }),
    approvals: new Counter({
      name: 'mcp_approvals_total',
      help: 'Approval outcomes (approved|rejected|expired|executed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'mcp_rate_limited_total',
      help: 'Tool calls refused by the per-token, per-tool rate limit',
      labelNames: ['tool'],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'mcp_auth_failures_total',
      help: 'Requests refused with 401 (reason: missing|invalid)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    setPendingSource(fn) {
      pending = fn;
    },
  };
  // Zero series exist from the start, so rate() and alert rules (a burst of denied checks) see the
  // first outcome as a change: Prometheus sees no increase in a series whose first sample already counts.
  for (const outcome of ['approved', 'rejected', 'expired', 'executed'])
    metrics.approvals.inc({ outcome }, 0);
  for (const tool of CHECKED)
    for (const result of ['allowed', 'denied']) metrics.permissionChecks.inc({ result, tool }, 0);
  for (const tool of TOOL_NAMES) {
    metrics.rateLimited.inc({ tool }, 0);
    for (const status of CALL_STATUSES) metrics.toolCalls.inc({ tool, status }, 0);
  }
  for (const reason of AUTH_FAILURES) metrics.authFailures.inc({ reason }, 0);
  return metrics;
}
