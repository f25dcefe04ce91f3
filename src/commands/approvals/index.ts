import { Flags } from '../../lib/oclif.js';
import { BaseCommand } from '../../base-command.js';
import { prose } from '../../lib/cli/prose.js';
import { configFlags } from '../../lib/cli/suite-flags.js';
import type { Approval } from '../../lib/mcp/approvals-client.js';
import { mcpUrlFlag } from '../../lib/mcp/decide-command.js';

export interface ApprovalsResult {
  readonly url: string;
  readonly approvals: readonly Approval[];
}

export default class Approvals extends BaseCommand<typeof Approvals> {
  static override summary = "List the MCP server's approvals (pending by default)";
  static override description =
    prose(`Destructive MCP tools (e.g. rag_delete_collection) wait for an approver. The token is
AISUITE_MCP_TOKEN, or the suite's mcp-admin-token secret; it needs the approvals:review permission.`);
  static override examples = [
    '<%= config.bin %> approvals',
    '<%= config.bin %> approvals --status all --json',
    '<%= config.bin %> approvals approve apr_0123 --reason "old test data"',
  ];
  static override flags = {
    ...configFlags,
    ...mcpUrlFlag,
    status: Flags.option({
      options: ['pending', 'approved', 'rejected', 'expired', 'executed', 'all'] as const,
      default: 'pending' as const,
      description: 'which approvals to list',
    })(),
  };

  async run(): Promise<ApprovalsResult> {
    const { connectApprovals } = await import('../../lib/mcp/connect.js');
    const { client, url } = await connectApprovals(this.flags);
    const approvals = await client.list(this.flags.status);
    if (approvals.length === 0)
      this.log(`no ${this.flags.status === 'all' ? '' : `${this.flags.status} `}approvals at ${url}`);
    for (const a of approvals) {
      this.log(
        `${a.id}  ${a.status.padEnd(8)}  ${a.tool}  by ${a.token_name}  ${JSON.stringify(a.arguments)}  expires ${a.expires_at}`,
      );
    }
    return { url, approvals };
  }
}
