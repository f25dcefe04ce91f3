import { DecideCommand } from '../../lib/mcp/decide-command.js';

export default class Reject extends DecideCommand {
  static override summary = 'Reject a pending MCP tool call (the reason is shown to the agent)';
  static override examples = [
    '<%= config.bin %> approvals reject apr_0123 --reason "this collection is still in use"',
  ];
  protected readonly decision = 'reject';
}
