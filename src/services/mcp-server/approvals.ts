/**
 * The approval workflow of destructive tools. A call without an approval creates a `pending`
 * record bound to the caller's token, the tool and a digest of the exact arguments; an approver
 * approves or rejects it; the caller repeats the call with `approval_id` and it runs once (a
 * compare-and-set to `executed` in SQLite, so two concurrent repeats cannot both run it).
 */
import { randomBytes } from 'node:crypto';
import { statementCache, type Db } from './db.js';
import type { McpMetrics } from './metrics.js';
import { sha256Hex, type Principal } from './rbac.js';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'executed';

export interface Approval {
  id: string;
  token_id: number;
  token_name: string | null;
  tool: string;
  arguments: Record<string, unknown>;
  status: ApprovalStatus;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by: string | null;
  reason: string | null;
  executed_at: string | null;
  result_status: string | null;
}

interface Row {
  id: string;
  token_id: number;
  token_name: string | null;
  tool: string;
  args_json: string;
  args_sha256: string;
  status: ApprovalStatus;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by_name: string | null;
  reason: string | null;
  executed_at: number | null;
  result_status: string | null;
}

/** A refusal the HTTP layer maps to a status. */
export class ApprovalError extends Error {
  constructor(
    readonly status: 403 | 404 | 409,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** JSON with sorted object keys, so equal arguments always hash alike. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const SELECT = `SELECT a.*, t.name AS token_name, d.name AS decided_by_name
  FROM approvals a LEFT JOIN tokens t ON t.id = a.token_id LEFT JOIN tokens d ON d.id = a.decided_by`;

/** What a repeated destructive call with an approval id may do. */
export type Redemption =
  { kind: 'run' } | { kind: 'pending'; approval: Approval } | { kind: 'refused'; message: string };

export class ApprovalStore {
  private readonly sql: ReturnType<typeof statementCache>;

  constructor(
    private readonly db: Db,
    private readonly metrics: McpMetrics,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sql = statementCache(db);
  }

  /** Marks every pending or approved-but-unused approval past its expiry as `expired`. */
  expireDue(): number {
    const n = this.sql(
      "UPDATE approvals SET status = 'expired' WHERE status IN ('pending', 'approved') AND expires_at <= ?",
    ).run(this.now()).changes;
    if (n > 0) this.metrics.approvals.inc({ outcome: 'expired' }, n);
    return n;
  }

  pendingCount(): number {
    this.expireDue();
    return (this.sql("SELECT count(*) AS n FROM approvals WHERE status = 'pending'").get() as { n: number })
      .n;
  }

  request(principal: Principal, tool: string, args: Record<string, unknown>): Approval {
    const id = `apr_${randomBytes(16).toString('base64url')}`;
    const json = canonicalJson(args);
    const t = this.now();
    this.sql(
      `INSERT INTO approvals (id, token_id, tool, args_json, args_sha256, status, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ).run(id, principal.tokenId, tool, json, sha256Hex(`${tool}\n${json}`), t, t + this.ttlMs);
    return this.get(id) as Approval;
  }

  get(id: string): Approval | undefined {
    const row = this.sql(`${SELECT} WHERE a.id = ?`).get(id) as Row | undefined;
    return row && toApproval(row);
  }

  list(filter: { status?: ApprovalStatus; tokenId?: number; limit: number }): Approval[] {
    this.expireDue();
    const rows = this.sql(
      `${SELECT} WHERE (? IS NULL OR a.status = ?) AND (? IS NULL OR a.token_id = ?)
          ORDER BY a.created_at DESC, a.id LIMIT ?`,
    ).all(
      filter.status ?? null,
      filter.status ?? null,
      filter.tokenId ?? null,
      filter.tokenId ?? null,
      filter.limit,
    ) as Row[];
    return rows.map(toApproval);
  }

  approve(id: string, approver: Principal, allowSelf: boolean, reason?: string): Approval {
    const current = this.decidable(id);
    if (!allowSelf && current.token_id === approver.tokenId)
      throw new ApprovalError(
        403,
        'an approval must come from a different token than the request',
        'self_approval',
      );
    const t = this.now();
    // The approved call gets a fresh window to be used in; status guard makes double approval a no-op.
    const changed = this.sql(
      `UPDATE approvals SET status = 'approved', decided_at = ?, decided_by = ?, reason = ?, expires_at = ?
          WHERE id = ? AND status = 'pending'`,
    ).run(t, approver.tokenId, reason ?? null, t + this.ttlMs, id).changes;
    if (changed !== 1) throw this.notPending(id);
    this.metrics.approvals.inc({ outcome: 'approved' });
    return this.get(id) as Approval;
  }

  reject(id: string, approver: Principal, reason?: string): Approval {
    this.decidable(id);
    const changed = this.sql(
      `UPDATE approvals SET status = 'rejected', decided_at = ?, decided_by = ?, reason = ?
          WHERE id = ? AND status = 'pending'`,
    ).run(this.now(), approver.tokenId, reason ?? null, id).changes;
    if (changed !== 1) throw this.notPending(id);
    this.metrics.approvals.inc({ outcome: 'rejected' });
    return this.get(id) as Approval;
  }

  private decidable(id: string): Approval {
    this.expireDue();
    const a = this.get(id);
    if (!a) throw new ApprovalError(404, `no approval with id ${id}`, 'approval_not_found');
    if (a.status !== 'pending') throw this.notPending(id);
    return a;
  }

  private notPending(id: string): ApprovalError {
    const a = this.get(id);
    return new ApprovalError(
      409,
      `approval ${id} is ${a?.status ?? 'gone'}, not pending`,
      `approval_${a?.status ?? 'gone'}`,
    );
  }

  /**
   * Redeems `id` for a repeated call of `tool` with `args` by `principal`: `run` exactly once when it
   * is approved, unexpired, the caller's own and for the same tool and arguments.
   */
  redeem(id: string, principal: Principal, tool: string, args: Record<string, unknown>): Redemption {
    this.expireDue();
    const a = this.sql(`${SELECT} WHERE a.id = ?`).get(id) as Row | undefined;
    // Another token's approval is reported exactly like a missing one: ids are not an oracle.
    if (!a || a.token_id !== principal.tokenId)
      return { kind: 'refused', message: `no approval ${id} for this token` };
    if (a.tool !== tool)
      return { kind: 'refused', message: `approval ${id} is for tool ${a.tool}, not ${tool}` };
    if (a.args_sha256 !== sha256Hex(`${tool}\n${canonicalJson(args)}`))
      return {
        kind: 'refused',
        message: `approval ${id} was granted for other arguments (${a.args_json}); request a new approval`,
      };
    if (a.status === 'pending') return { kind: 'pending', approval: toApproval(a) };
    if (a.status !== 'approved') {
      const why = a.status === 'rejected' && a.reason ? `: ${a.reason}` : '';
      return { kind: 'refused', message: `approval ${id} is ${a.status}${why}; nothing was run` };
    }
    const won = this.sql(
      `UPDATE approvals SET status = 'executed', executed_at = ?
          WHERE id = ? AND status = 'approved' AND expires_at > ?`,
    ).run(this.now(), id, this.now()).changes;
    if (won !== 1) return { kind: 'refused', message: `approval ${id} was already used; nothing was run` };
    this.metrics.approvals.inc({ outcome: 'executed' });
    return { kind: 'run' };
  }

  recordResult(id: string, status: 'ok' | 'error'): void {
    this.sql('UPDATE approvals SET result_status = ? WHERE id = ?').run(status, id);
  }
}

function toApproval(r: Row): Approval {
  return {
    id: r.id,
    token_id: r.token_id,
    token_name: r.token_name,
    tool: r.tool,
    arguments: JSON.parse(r.args_json) as Record<string, unknown>,
    status: r.status,
    created_at: iso(r.created_at) as string,
    expires_at: iso(r.expires_at) as string,
    decided_at: iso(r.decided_at),
    decided_by: r.decided_by_name,
    reason: r.reason,
    executed_at: iso(r.executed_at),
    result_status: r.result_status,
  };
}
