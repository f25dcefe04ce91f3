import { Args, Flags } from '../oclif.js';
import { BaseCommand } from '../../base-command.js';
import { configFlags } from '../cli/suite-flags.js';
import type { Approval } from './approvals-client.js';

export const mcpUrlFlag = {
  'mcp-url': Flags.string({
    description: 'mcp-server base URL (default: from the suite config)',
    env: 'AISUITE_MCP_URL',
  }),
};

/** `approvals approve` and `approvals reject`: the same command with another decision. */
export abstract class DecideCommand extends BaseCommand<typeof DecideCommand> {
  static override flags = {
    ...configFlags,
    ...mcpUrlFlag,
    reason: Flags.string({ description: 'why (shown to the agent and kept in the audit trail)' }),
  };
  static override args = { id: Args.string({ required: true, description: 'approval id (apr_...)' }) };
  protected abstract readonly decision: 'approve' | 'reject';

  async run(): Promise<Approval> {
    const { connectApprovals } = await import('./connect.js');
    const { client } = await connectApprovals(this.flags);
    const approval = await client.decide(this.args.id, this.decision, this.flags.reason);
    this.log(`${approval.id}: ${approval.status} (${approval.tool})`);
    return approval;
  }
}
