import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import {
  ADMIN_TOKEN,
  connect,
  createToken,
  startHarness,
  type McpHarness,
} from '../services/mcp-server/helpers.js';

// The CLI against the real mcp-server (in-process, temp SQLite; rag and gateway are recording stand-ins).
describe('aisuite approvals (built CLI)', () => {
  let mcp: McpHarness;
  let approvalId: string;
  beforeAll(async () => {
    mcp = await startHarness();
    const agent = await createToken(mcp.url, 'cli-test-agent', ['agent']);
    const client = await connect(mcp.url, agent.token);
    const result = await client.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'old-notes' },
    });
    approvalId = (result.structuredContent as { approval_id: string }).approval_id;
    await client.close();
  });
  afterAll(async () => mcp.close());

  const cli = (args: string[], token = ADMIN_TOKEN) =>
    runCli(['approvals', ...args, '--mcp-url', mcp.url], {
      env: { AISUITE_MCP_TOKEN: token, AISUITE_STATE_DIR: mcp.dir },
    });

  it('lists the pending approval, approves it, and the list reflects it', async () => {
    // Given a destructive call waiting for an approver
    const list = await cli(['--json']);
    expect(list.exitCode, String(list.stderr)).toBe(0);
    const pending = JSON.parse(String(list.stdout)) as {
      approvals: { id: string; tool: string; status: string }[];
    };
    expect(pending.approvals).toContainEqual(
      expect.objectContaining({ id: approvalId, tool: 'rag_delete_collection', status: 'pending' }),
    );
    // When the approver approves it
    const approve = await cli(['approve', approvalId, '--reason', 'old data', '--json']);
    expect(approve.exitCode, String(approve.stderr)).toBe(0);
    expect(JSON.parse(String(approve.stdout))).toMatchObject({
      id: approvalId,
      status: 'approved',
      reason: 'old data',
    });
    // Then it is no longer pending, and the output never shows the token
    const after = await cli(['--status', 'approved']);
    expect(String(after.stdout)).toContain(approvalId);
    expect(String(after.stdout) + String(after.stderr)).not.toContain(ADMIN_TOKEN);
    // and it cannot be decided twice
    const again = await cli(['reject', approvalId]);
    expect(again.exitCode).toBe(2);
    expect(String(again.stderr)).toMatch(/answered 409/);
  });

  it('an unknown approval id and a token without the permission are clear errors', async () => {
    const unknown = await cli(['approve', 'apr_does_not_exist']);
    expect(unknown.exitCode).toBe(2);
    expect(String(unknown.stderr)).toMatch(/answered 404/);
    const reader = await createToken(mcp.url, 'cli-test-reader', ['reader']);
    const denied = await cli([], reader.token);
    expect(denied.exitCode).toBe(2);
    expect(String(denied.stderr)).toMatch(/answered 403[\s\S]*approvals:review/);
  });

  it('approving with the token that asked for the call says to use another token', async () => {
    // Given a destructive call requested with the admin token itself
    const admin = await connect(mcp.url, ADMIN_TOKEN);
    const own = await admin.callTool({ name: 'rag_delete_collection', arguments: { collection: 'mine' } });
    await admin.close();
    const id = (own.structuredContent as { approval_id: string }).approval_id;
    // When the same token approves it, then the error says why, and not that a permission is missing
    const run = await cli(['approve', id]);
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toMatch(/answered 403[\s\S]*different token than the request/);
    expect(String(run.stderr)).toContain('approve with another token that has approvals:review');
    expect(String(run.stderr)).not.toContain('The token needs the approvals:review permission');
  });

  it('an unreachable mcp-server names the URL', async () => {
    const run = await runCli(['approvals', '--mcp-url', 'http://127.0.0.1:9'], {
      env: { AISUITE_MCP_TOKEN: 'x' },
    });
    expect(run.exitCode).toBe(6);
    expect(String(run.stderr)).toContain('cannot reach the mcp-server at http://127.0.0.1:9');
  });
});
