/** Tools backed by the rag service (POST /query, POST /index, GET /collections, DELETE /collections/{name}). */
import { z } from 'zod';
import { callJson } from './upstream.js';
import { defineTool, jsonOutput, type ToolContext } from './types.js';

const collection = z.string().min(1).max(128).describe('collection name, e.g. "docs"');

const rag = (ctx: ToolContext) => ({
  service: 'rag',
  timeoutMs: ctx.cfg.MCP_UPSTREAM_TIMEOUT,
  signal: ctx.signal,
});

export const ragQuery = defineTool({
  name: 'rag_query',
  title: 'Search the knowledge base',
  description:
    'Retrieve the chunks of a collection most relevant to a question, with scores, and an answer generated from them.',
  destructive: false,
  readOnly: true,
  input: {
    collection,
    query: z.string().min(1).max(8000).describe('the question or search text'),
    top_k: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe('how many chunks to return (default: rag decides)'),
    answer: z.boolean().optional().describe('false: chunks only, no generated answer (default true)'),
  },
  async run(args, ctx) {
    const body = await callJson('POST', `${ctx.cfg.RAG_URL}/query`, args, rag(ctx));
    return jsonOutput(body as Record<string, unknown>);
  },
});

export const ragIndex = defineTool({
  name: 'rag_index',
  title: 'Add documents to the knowledge base',
  description:
    'Chunk, embed and store documents in a collection; re-indexing a document id replaces its earlier chunks.',
  destructive: false,
  readOnly: false,
  input: {
    collection,
    documents: z
      .array(
        z.object({
          id: z.string().min(1).max(256),
          text: z.string().min(1),
          metadata: z.record(z.string(), z.unknown()).optional(),
        }),
      )
      .min(1)
      .max(1000)
      .describe('documents to index'),
  },
  async run(args, ctx) {
    const body = await callJson('POST', `${ctx.cfg.RAG_URL}/index`, args, rag(ctx));
    return jsonOutput(body as Record<string, unknown>);
  },
});

export const ragListCollections = defineTool({
  name: 'rag_list_collections',
  title: 'List knowledge-base collections',
  description: 'List the collections of the knowledge base with their document and chunk counts.',
  destructive: false,
  readOnly: true,
  input: {},
  async run(_args, ctx) {
    const body = await callJson('GET', `${ctx.cfg.RAG_URL}/collections`, undefined, rag(ctx));
    return jsonOutput(Array.isArray(body) ? { collections: body } : (body as Record<string, unknown>));
  },
});

export const ragDeleteCollection = defineTool({
  name: 'rag_delete_collection',
  title: 'Delete a knowledge-base collection (needs approval)',
  description:
    'Delete a collection with all its documents and vectors. Destructive: the first call returns a pending ' +
    'approval id; once an approver has approved it, call again with the same arguments and approval_id.',
  destructive: true,
  readOnly: false,
  input: { collection },
  async run(args, ctx) {
    const body = await callJson(
      'DELETE',
      `${ctx.cfg.RAG_URL}/collections/${encodeURIComponent(args.collection)}`,
      undefined,
      rag(ctx),
    );
    return jsonOutput(
      body && typeof body === 'object' ? (body as Record<string, unknown>) : { deleted: args.collection },
      `Collection "${args.collection}" deleted.`,
    );
  },
});
