import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ADMIN_TOKEN,
  api,
  connect,
  createToken,
  metric,
  startHarness,
  text,
  type McpHarness,
} from './helpers.js';

const TTL_MS = 10 * 60_000;

describe('mcp-server approval workflow', () => {
  let h: McpHarness;
  let agent: Client;
  let other: Client;
  let approverToken: string;
  const deletes = (): string[] => h.rag.calls.filter((c) => c.method === 'DELETE').map((c) => c.path);

  /** First call of the destructive tool: returns the pending approval id. */
  async function requestDelete(client: Client, collection: string): Promise<string> {
    const r = await client.callTool({ name: 'rag_delete_collection', arguments: { collection } });
    expect(r.isError).toBeFalsy();
    const id = (r.structuredContent as { approval_id: string }).approval_id;
    expect(id).toMatch(/^apr_/);
    return id;
  }

  beforeAll(async () => {
    h = await startHarness({ MCP_APPROVAL_TTL: `${TTL_MS}ms` });
    agent = await connect(h.url, (await createToken(h.url, 'agent-a', ['agent'])).token);
    other = await connect(h.url, (await createToken(h.url, 'agent-b', ['agent'])).token);
    approverToken = (await createToken(h.url, 'alice', ['approver'])).token;
  });
  afterAll(async () => {
    await agent?.close();
    await other?.close();
    await h?.close();
  });

  it('pending -> approve -> the repeated call runs exactly once', async () => {
    // Given a pending approval for deleting "old"
    const id = await requestDelete(agent, 'old');
    expect(deletes()).toEqual([]);
    expect(await metric(h.url, 'mcp_approvals_pending')).toBe(1);
    const list = await api(h.url, 'GET', '/approvals', approverToken);
    expect(list.status).toBe(200);
    expect(list.json.data).toMatchObject([
      {
        id,
        tool: 'rag_delete_collection',
        arguments: { collection: 'old' },
        status: 'pending',
        token_name: 'agent-a',
      },
    ]);
    // When the agent repeats the call before anyone decided, nothing runs
    const early = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'old', approval_id: id },
    });
    expect(early.isError).toBeFalsy();
    expect(text(early)).toMatch(/^PENDING APPROVAL: approval .* has not been decided yet/);
    expect(deletes()).toEqual([]);
    // When an approver approves
    const ok = await api(h.url, 'POST', `/approvals/${id}/approve`, approverToken, { reason: 'cleanup' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ id, status: 'approved', decided_by: 'alice', reason: 'cleanup' });
    expect(await metric(h.url, 'mcp_approvals_pending')).toBe(0);
    // Then the repeated call runs once
    const run = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'old', approval_id: id },
    });
    expect(run.isError).toBeFalsy();
    expect(text(run)).toContain('Collection "old" deleted.');
    expect(deletes()).toEqual(['/collections/old']);
    // And a second use of the same approval is refused
    const again = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'old', approval_id: id },
    });
    expect(again.isError).toBe(true);
    expect(text(again)).toBe(`approval ${id} is executed; nothing was run`);
    expect(deletes()).toEqual(['/collections/old']);
    const final = await api(h.url, 'GET', `/approvals/${id}`, ADMIN_TOKEN);
    expect(final.json).toMatchObject({ status: 'executed', result_status: 'ok' });
    expect(await metric(h.url, 'mcp_approvals_total{outcome="approved"}')).toBe(1);
    expect(await metric(h.url, 'mcp_approvals_total{outcome="executed"}')).toBe(1);
  });

  it('two concurrent repeats of one approved call still run it once', async () => {
    const id = await requestDelete(agent, 'race');
    expect((await api(h.url, 'POST', `/approvals/${id}/approve`, approverToken, {})).status).toBe(200);
    const args = { collection: 'race', approval_id: id };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => agent.callTool({ name: 'rag_delete_collection', arguments: args })),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(deletes().filter((p) => p === '/collections/race')).toHaveLength(1);
  });

  it('reject: the repeated call is refused with the reason and nothing runs', async () => {
    const id = await requestDelete(agent, 'keep');
    const rej = await api(h.url, 'POST', `/approvals/${id}/reject`, approverToken, {
      reason: 'still in use',
    });
    expect(rej.status).toBe(200);
    expect(rej.json).toMatchObject({ status: 'rejected', reason: 'still in use' });
    const r = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'keep', approval_id: id },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toBe(`approval ${id} is rejected: still in use; nothing was run`);
    expect(deletes()).not.toContain('/collections/keep');
    const twice = await api(h.url, 'POST', `/approvals/${id}/approve`, approverToken, {});
    expect(twice.status).toBe(409);
    expect(twice.json.error).toMatchObject({ code: 'approval_rejected', type: 'invalid_request_error' });
    expect(await metric(h.url, 'mcp_approvals_total{outcome="rejected"}')).toBe(1);
  });

  it('expire: a pending approval past its TTL cannot be approved or used', async () => {
    const id = await requestDelete(agent, 'stale');
    h.clock.advance(TTL_MS + 1);
    const late = await api(h.url, 'POST', `/approvals/${id}/approve`, approverToken, {});
    expect(late.status).toBe(409);
    expect(late.json.error.message).toBe(`approval ${id} is expired, not pending`);
    const r = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'stale', approval_id: id },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toBe(`approval ${id} is expired; nothing was run`);
    expect(deletes()).not.toContain('/collections/stale');
    expect(await metric(h.url, 'mcp_approvals_total{outcome="expired"}')).toBe(1);
  });

  it('expire: an approved call not used within the TTL after approval expires too', async () => {
    const id = await requestDelete(agent, 'slow');
    h.clock.advance(TTL_MS - 1_000); // approved just before the request would have expired
    expect((await api(h.url, 'POST', `/approvals/${id}/approve`, approverToken, {})).status).toBe(200);
    h.clock.advance(TTL_MS - 1_000); // still inside the fresh window after approval
    expect((await api(h.url, 'GET', `/approvals/${id}`, approverToken)).json.status).toBe('approved');
    h.clock.advance(2_000);
    const r = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'slow', approval_id: id },
    });
    expect(text(r)).toBe(`approval ${id} is expired; nothing was run`);
    expect(deletes()).not.toContain('/collections/slow');
  });

  it('an approval id that does not exist or belongs to another token runs nothing and says so alike', async () => {
    const id = await requestDelete(agent, 'mine');
    expect((await api(h.url, 'POST', `/approvals/${id}/approve`, approverToken, {})).status).toBe(200);
    const stolen = await other.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'mine', approval_id: id },
    });
    expect(stolen.isError).toBe(true);
    expect(text(stolen)).toBe(`no approval ${id} for this token`);
    const missing = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'mine', approval_id: 'apr_doesnotexist' },
    });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toBe('no approval apr_doesnotexist for this token');
    expect(deletes()).not.toContain('/collections/mine');
    // The approval was not consumed by those attempts: its owner can still use it.
    const mine = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'mine', approval_id: id },
    });
    expect(mine.isError).toBeFalsy();
    expect(deletes().filter((p) => p === '/collections/mine')).toHaveLength(1);
  });

  it('an approval is bound to its arguments: other arguments are refused', async () => {
    const id = await requestDelete(agent, 'scratch');
    expect((await api(h.url, 'POST', `/approvals/${id}/approve`, approverToken, {})).status).toBe(200);
    const r = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'prod', approval_id: id },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain(`approval ${id} was granted for other arguments ({"collection":"scratch"})`);
    expect(deletes()).not.toContain('/collections/prod');
  });

  it('the HTTP API: unknown ids 404, non-approvers 403, no self-approval, owners may read their own', async () => {
    expect((await api(h.url, 'POST', '/approvals/apr_nope/approve', approverToken, {})).status).toBe(404);
    expect((await api(h.url, 'POST', '/approvals/apr_nope/reject', approverToken, {})).json.error.code).toBe(
      'approval_not_found',
    );
    // the admin asks for a deletion itself and tries to approve it
    const admin = await connect(h.url, ADMIN_TOKEN);
    try {
      const id = await requestDelete(admin, 'self');
      const self = await api(h.url, 'POST', `/approvals/${id}/approve`, ADMIN_TOKEN, {});
      expect(self.status).toBe(403);
      expect(self.json.error.code).toBe('self_approval');
    } finally {
      await admin.close();
    }
    const agentToken = (await createToken(h.url, 'agent-c', ['agent'])).token;
    const c = await connect(h.url, agentToken);
    try {
      const id = await requestDelete(c, 'c-coll');
      const deny = await api(h.url, 'POST', `/approvals/${id}/approve`, agentToken, {});
      expect(deny.status).toBe(403);
      expect(deny.headers.get('www-authenticate')).toContain('scope="approvals:review"');
      expect((await api(h.url, 'GET', `/approvals/${id}`, agentToken)).json).toMatchObject({
        id,
        status: 'pending',
      });
      const otherAgent = (await createToken(h.url, 'agent-d', ['agent'])).token;
      const peek = await api(h.url, 'GET', `/approvals/${id}`, otherAgent);
      expect(peek.status).toBe(404);
      expect(peek.json.error.message).toBe(`No approval with id ${id}`);
      const bad = await api(h.url, 'POST', `/approvals/${id}/approve`, approverToken, { reason: 42 });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatchObject({ param: 'reason', code: 'invalid_request' });
      expect((await api(h.url, 'GET', `/approvals/${id}`, agentToken)).json.status).toBe('pending');
    } finally {
      await c.close();
    }
  });
});
