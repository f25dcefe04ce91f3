/**
 * The mcp-server against the real suite services: rag (on PostgreSQL + pgvector in Docker, with the
 * embedding service), api-gateway and mock-inference as child processes (the rag tests' bed), and
 * the SDK client. No stand-ins: the tools must work with the contracts the other services really serve.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RunningService } from '../../../src/services/kit/index.js';
import { start } from '../../../src/services/mcp-server/index.js';
import { stopAllServiceProcesses, type ServiceProcess } from '../../support/service-process.js';
import { API_KEY, startRagBed, type RagBed } from '../rag/harness.js';
import { ADMIN_TOKEN, api, connect, createToken, text } from './helpers.js';

describe('mcp-server with the real rag, gateway and mock-inference', () => {
  let bed: RagBed;
  let rag: ServiceProcess;
  let mcp: RunningService;
  let dir: string;
  let agent: Client;
  let approver: string;

  beforeAll(async () => {
    bed = await startRagBed();
    rag = await bed.startRag();
    dir = mkdtempSync(path.join(os.tmpdir(), 'aisuite-mcp-full-'));
    mcp = await start({
      PORT: '0',
      LOG_LEVEL: 'silent',
      MCP_ADMIN_TOKEN: ADMIN_TOKEN,
      MCP_DB_PATH: path.join(dir, 'rbac.sqlite'),
      RAG_URL: rag.url,
      GATEWAY_URL: bed.gateway.url,
      GATEWAY_API_KEY: API_KEY,
      SUITE_HEALTH_TARGETS: [
        `rag=${rag.url}/health`,
        `api-gateway=${bed.gateway.url}/health`,
        `embedding=${bed.embedding.url}/health`,
        `inference-chat=${bed.mock.url}/health`,
      ].join(','),
    });
    agent = await connect(mcp.url, (await createToken(mcp.url, 'agent', ['agent'])).token);
    approver = (await createToken(mcp.url, 'approver', ['approver'])).token;
  }, 600_000);

  afterAll(async () => {
    await agent?.close();
    await mcp?.close();
    await bed?.stop();
    await stopAllServiceProcesses();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('indexes, lists, queries (chunks + answer), chats and reports health through the real services', async () => {
    const indexed = await agent.callTool({
      name: 'rag_index',
      arguments: {
        collection: 'mcp_docs',
        documents: [
          { id: 'volcano', text: 'Volcanoes erupt molten rock called lava from the mantle.' },
          { id: 'bread', text: 'Sourdough bread rises because of wild yeast and lactobacilli.' },
        ],
      },
    });
    expect(indexed.isError, text(indexed)).toBeFalsy();
    expect(indexed.structuredContent).toMatchObject({ collection: 'mcp_docs', documents: 2 });

    const list = await agent.callTool({ name: 'rag_list_collections', arguments: {} });
    expect(JSON.stringify(list.structuredContent)).toContain('mcp_docs');

    const q = await agent.callTool({
      name: 'rag_query',
      arguments: { collection: 'mcp_docs', query: 'What makes sourdough bread rise?', top_k: 1 },
    });
    expect(q.isError, text(q)).toBeFalsy();
    const body = q.structuredContent as {
      chunks: Array<{ document_id?: string; text: string }>;
      answer: string;
    };
    expect(body.chunks).toHaveLength(1);
    expect(body.chunks[0]?.text).toContain('Sourdough');
    expect(typeof body.answer).toBe('string');

    const chat = await agent.callTool({ name: 'chat', arguments: { prompt: 'Say hello', max_tokens: 8 } });
    expect(chat.isError, text(chat)).toBeFalsy();
    expect(text(chat).length).toBeGreaterThan(0);
    expect(chat.structuredContent).toMatchObject({ model: expect.any(String) });

    const health = await agent.callTool({ name: 'suite_health', arguments: {} });
    expect(health.structuredContent).toMatchObject({ status: 'ok' });
    expect((health.structuredContent as { services: unknown[] }).services).toHaveLength(4);
  });

  it('deletes a collection only after approval, once; the real rag then answers 404 as a tool error', async () => {
    const first = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'mcp_docs' },
    });
    const id = (first.structuredContent as { approval_id: string }).approval_id;
    const stillThere = await agent.callTool({
      name: 'rag_query',
      arguments: { collection: 'mcp_docs', query: 'lava' },
    });
    expect(stillThere.isError).toBeFalsy();

    expect((await api(mcp.url, 'POST', `/approvals/${id}/approve`, approver, {})).status).toBe(200);
    const del = await agent.callTool({
      name: 'rag_delete_collection',
      arguments: { collection: 'mcp_docs', approval_id: id },
    });
    expect(del.isError, text(del)).toBeFalsy();
    expect(del.structuredContent).toMatchObject({ deleted: true, collection: 'mcp_docs', documents: 2 });

    const gone = await agent.callTool({
      name: 'rag_query',
      arguments: { collection: 'mcp_docs', query: 'lava' },
    });
    expect(gone.isError).toBe(true);
    expect(text(gone)).toBe('rag answered 404: collection "mcp_docs" does not exist');
  });

  it('rag down (process killed) is a tool error and suite_health says so', async () => {
    await rag.kill();
    const r = await agent.callTool({ name: 'rag_list_collections', arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^rag is unreachable \(ECONNREFUSED\)/);
    const health = await agent.callTool({ name: 'suite_health', arguments: {} });
    expect(health.structuredContent).toMatchObject({ status: 'degraded' });
    expect(text(health)).toContain('Down: rag.');
  });
});
