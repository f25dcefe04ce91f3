import { ExternalError, UserError } from '../errors.js';

/** An approval as the mcp-server's API returns it (docs/MCP.md). */
export interface Approval {
  id: string;
  token_id: number;
  token_name: string;
  tool: string;
  arguments: unknown;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'executed';
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by: string | null;
  reason: string | null;
  executed_at: string | null;
}

/** A small client for the mcp-server's approval API (Bearer token with `approvals:review`). */
export class ApprovalsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async list(status = 'pending', limit = 100): Promise<Approval[]> {
    const body = await this.request<{ data: Approval[] }>(
      'GET',
      `/approvals?status=${encodeURIComponent(status)}&limit=${limit}`,
    );
    return body.data;
  }

  async decide(id: string, decision: 'approve' | 'reject', reason?: string): Promise<Approval> {
    return this.request<Approval>(
      'POST',
      `/approvals/${encodeURIComponent(id)}/${decision}`,
      reason ? { reason } : {},
    );
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ExternalError(`cannot reach the mcp-server at ${this.baseUrl}: ${(error as Error).message}`, {
        hint: 'Is the suite up (`aisuite status`)? Pass --mcp-url when it listens elsewhere.',
        code: 'MCP_UNREACHABLE',
      });
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { message?: string; code?: string } } | undefined)?.error;
      const message = error?.message ?? response.statusText;
      const hint =
        error?.code === 'self_approval'
          ? 'The token that asked for the call cannot approve it: approve with another token that has ' +
            'approvals:review (an approver, docs/MCP.md) in AISUITE_MCP_TOKEN, or, for a single operator, ' +
            'set mcp.allowSelfApproval: true in aisuite.yaml and run `aisuite up`.'
          : response.status === 401 || response.status === 403
            ? 'The token needs the approvals:review permission (set AISUITE_MCP_TOKEN, default: the mcp-admin-token secret).'
            : undefined;
      throw new UserError(`mcp-server answered ${response.status} to ${method} ${path}: ${message}`, {
        hint,
        code: `MCP_${response.status}`,
      });
    }
    return parsed as T;
  }
}
