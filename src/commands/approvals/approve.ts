import { DecideCommand } from '../../lib/mcp/decide-command.js';

export default class Approve extends DecideCommand {
  static override summary = 'Approve a pending MCP tool call (it then runs once, when the agent repeats it)';
  static override examples = [
    '<%= config.bin %> approvals approve apr_0123 --reason "checked with the owner"',
  ];
  protected readonly decision = 'approve';
}
