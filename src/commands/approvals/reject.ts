import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { configFlags } from '../../lib/cli/suite-flags.js';
import type { Approval } from '../../lib/mcp/approvals-client.js';
import { mcpUrlFlag } from './index.js';

export default class Reject extends BaseCommand<typeof Reject> {
  static override summary = 'Reject a pending MCP tool call';
  static override examples = [
    '<%= config.bin %> approvals reject apr_0123 --reason "checked with the owner"',
  ];
  static override flags = {
    ...configFlags,
    ...mcpUrlFlag,
    reason: Flags.string({ description: 'why (shown to the agent and kept in the audit trail)' }),
  };
  static override args = { id: Args.string({ required: true, description: 'approval id (apr_...)' }) };

  async run(): Promise<Approval> {
    const { connectApprovals } = await import('../../lib/mcp/connect.js');
    const { client } = await connectApprovals(this.flags);
    const approval = await client.decide(this.args.id, 'reject', this.flags.reason);
    this.log(`${approval.id}: ${approval.status} (${approval.tool})`);
    return approval;
  }
}
