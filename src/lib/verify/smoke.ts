import type Docker from 'dockerode';
import type { ChecklistTarget } from '../checklist/target.js';
import type { CheckResult } from '../checklist/types.js';
import type { GatewaySettings } from '../suite/service-settings.js';
import { LABELS } from '../suite/labels.js';

/** What a smoke test needs: where the suite is, its keys, the engine (failover stops a container). */
export interface SmokeContext {
  readonly target: ChecklistTarget;
  readonly docker: Docker;
  readonly signal: AbortSignal;
  /** Seconds one smoke test may take (default 60). */
  readonly timeoutSeconds?: number;
  /** The gateway's configured fallbacks (aisuite.yaml `gateway.fallbacks`); unset: the defaults. */
  readonly fallbacks?: GatewaySettings['fallbacks'];
}

export interface SmokeTest {
  readonly id: string;
  readonly title: string;
  /** Services the test goes through; it is skipped when one is not part of the suite. */
  readonly services: readonly string[];
  readonly remedy: string;
  /** Why the test does not apply to this suite's configuration (reported as skipped), if it does not. */
  notApplicable?(ctx: SmokeContext): string | undefined;
  /** Resolves to what was seen; throws with what went wrong. */
  run(ctx: SmokeContext): Promise<string>;
}

export type SmokeResult = Omit<CheckResult, 'stage'>;

const url = (ctx: SmokeContext, service: string) => {
  const u = ctx.target.services.find((s) => s.name === service)?.url;
  if (!u) throw new Error(`${service} has no reachable URL`);
  return u;
};

function secret(ctx: SmokeContext, name: 'gateway-api-key' | 'mcp-admin-token'): string {
  const value = ctx.target.secrets[name];
  if (!value) throw new Error(`secret ${name} is missing from ${ctx.target.secretsFile}`);
  return value;
}

async function openai(ctx: SmokeContext) {
  const { default: OpenAI } = await import('openai');
  return new OpenAI({
    apiKey: secret(ctx, 'gateway-api-key'),
    baseURL: `${url(ctx, 'api-gateway')}/v1`,
    maxRetries: 0,
    timeout: (ctx.timeoutSeconds ?? 60) * 1000,
  });
}

async function postJson(ctx: SmokeContext, target: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: ctx.signal,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${target}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function chatOnce(ctx: SmokeContext, model: string): Promise<{ content: string; model: string }> {
  const client = await openai(ctx);
  const res = await client.chat.completions.create(
    { model, messages: [{ role: 'user', content: 'Say hello in three words.' }], max_tokens: 16 },
    { signal: ctx.signal },
  );
  const content = res.choices[0]?.message?.content ?? '';
  if (!content.trim()) throw new Error(`empty completion from model ${model}`);
  return { content, model: res.model };
}

async function container(ctx: SmokeContext, service: string): Promise<Docker.Container> {
  const [info] = await ctx.docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.project}=${ctx.target.project}`, `${LABELS.service}=${service}`] },
  });
  if (!info) throw new Error(`no container for ${service}`);
  return ctx.docker.getContainer(info.Id);
}

async function waitHealthy(ctx: SmokeContext, c: Docker.Container, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const info = await c.inspect();
    if (info.State.Running && (info.State.Health === undefined || info.State.Health.Status === 'healthy'))
      return;
    if (Date.now() > end) throw new Error(`container did not turn healthy again within ${seconds}s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const short = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** The smoke tests `verify` runs, in order; each goes through the real endpoints with the real clients. */
export const SMOKE_TESTS: readonly SmokeTest[] = [
  {
    id: 'smoke-chat-completion',
    title: 'Chat completion through the gateway (openai client)',
    services: ['api-gateway', 'inference-chat'],
    remedy: 'Read `aisuite logs api-gateway` and `aisuite logs inference-chat`.',
    run: async (ctx) => {
      const r = await chatOnce(ctx, 'chat');
      return `model ${r.model}: ${short(r.content)}`;
    },
  },
  {
    id: 'smoke-code-completion',
    title: 'Code completion through the gateway (openai client, /v1/completions)',
    services: ['api-gateway', 'inference-code'],
    remedy: 'Read `aisuite logs api-gateway` and `aisuite logs inference-code`.',
    run: async (ctx) => {
      const client = await openai(ctx);
      const res = await client.completions.create(
        { model: 'code', prompt: 'def add(a, b):\n', max_tokens: 16 },
        { signal: ctx.signal },
      );
      const text = res.choices[0]?.text ?? '';
      if (!text.trim()) throw new Error('empty completion from model code');
      return `model ${res.model}: ${short(text)}`;
    },
  },
  {
    id: 'smoke-streamed-completion',
    title: 'Streamed chat completion (SSE chunks until [DONE])',
    services: ['api-gateway', 'inference-chat'],
    remedy: 'Streaming breaks when a proxy buffers SSE; read `aisuite logs api-gateway`.',
    run: async (ctx) => {
      const client = await openai(ctx);
      const stream = await client.chat.completions.create(
        {
          model: 'chat',
          messages: [{ role: 'user', content: 'Count to five.' }],
          max_tokens: 16,
          stream: true,
        },
        { signal: ctx.signal },
      );
      let chunks = 0;
      let text = '';
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        chunks += 1;
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      if (chunks < 2 || !text.trim())
        throw new Error(`stream ended after ${chunks} chunks with ${short(text)}`);
      return `${chunks} chunks, finish_reason ${finish ?? 'none'}`;
    },
  },
  {
    id: 'smoke-embedding',
    title: 'Embedding through the gateway (openai client)',
    services: ['api-gateway', 'embedding'],
    remedy: 'Read `aisuite logs embedding`; its /health names the model and dimension.',
    run: async (ctx) => {
      const client = await openai(ctx);
      const res = await client.embeddings.create(
        { model: ctx.target.embeddingModel, input: ['aisuite verify', 'second text'] },
        { signal: ctx.signal },
      );
      const dims = res.data.map((d) => d.embedding.length);
      if (dims.length !== 2 || dims.some((d) => d === 0))
        throw new Error(`unexpected vectors: ${dims.join(', ')}`);
      return `${dims.length} vectors of ${dims[0]} dimensions`;
    },
  },
  {
    id: 'smoke-rag',
    title: 'RAG index and query (chunks and an answer)',
    services: ['rag', 'embedding', 'postgres', 'api-gateway'],
    remedy: 'Read `aisuite logs rag`; its /health reports Postgres and embedding.',
    run: async (ctx) => {
      const rag = url(ctx, 'rag');
      const collection = 'aisuite_verify';
      await postJson(ctx, `${rag}/index`, {
        collection,
        documents: [
          {
            id: 'pgvector',
            text: 'pgvector stores embeddings inside PostgreSQL and searches them by cosine distance.',
          },
          {
            id: 'prometheus',
            text: 'Prometheus scrapes metrics from every service and evaluates alert rules.',
          },
        ],
      });
      const q = await postJson(ctx, `${rag}/query`, {
        collection,
        query: 'Where are embeddings stored?',
        top_k: 2,
      });
      const chunks = (q.chunks as { text?: string }[] | undefined) ?? [];
      if (chunks.length === 0) throw new Error('query returned no chunks');
      if (typeof q.answer !== 'string' || !q.answer.trim()) {
        throw new Error(`no answer: ${JSON.stringify(q.answer_error ?? q.answer)}`);
      }
      return `${chunks.length} chunks; answer ${short(q.answer)}`;
    },
  },
  {
    id: 'smoke-mcp',
    title: 'MCP tool list and one call (SDK client)',
    services: ['mcp-server'],
    remedy: 'Read `aisuite logs mcp-server`; a 401 means the token differs from the secrets file.',
    run: async (ctx) => {
      const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([
        import('@modelcontextprotocol/sdk/client/index.js'),
        import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
      ]);
      const transport = new StreamableHTTPClientTransport(new URL(`${url(ctx, 'mcp-server')}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${secret(ctx, 'mcp-admin-token')}` } },
      });
      const client = new Client({ name: 'aisuite-verify', version: '1' });
      try {
        await client.connect(transport, { signal: ctx.signal });
        const { tools } = await client.listTools(undefined, { signal: ctx.signal });
        const result = await client.callTool({ name: 'suite_health', arguments: {} }, undefined, {
          signal: ctx.signal,
        });
        if (result.isError) {
          const text = (result.content as { text?: string }[]).map((c) => c.text ?? '').join(' ');
          throw new Error(`suite_health returned an error: ${text.slice(0, 200)}`);
        }
        return `${tools.length} tools (${tools.map((t) => t.name).join(', ')}); suite_health answered`;
      } finally {
        await client.close().catch(() => undefined);
      }
    },
  },
  {
    id: 'smoke-failover',
    title: 'Failover: chat still answers with the chat backend stopped',
    services: ['api-gateway', 'inference-chat', 'inference-code'],
    remedy: 'The gateway falls back chat -> code before the first byte; read `aisuite logs api-gateway`.',
    notApplicable: (ctx) =>
      ctx.fallbacks === undefined || ctx.fallbacks.chat?.includes('code')
        ? undefined
        : 'gateway.fallbacks gives chat no fallback to code',
    run: async (ctx) => {
      const chat = await container(ctx, 'inference-chat');
      // Given the chat backend is stopped
      await chat.stop({ t: 2 });
      try {
        // When a chat completion is asked for, then the code backend answers it
        const r = await chatOnce(ctx, 'chat');
        return `answered by ${r.model} with inference-chat stopped`;
      } finally {
        // and the chat backend comes back for the post-deploy checklist
        await chat.start().catch(() => undefined);
        await waitHealthy(ctx, chat, 60);
      }
    },
  },
];

/** Runs the smoke tests in order; a test whose services are not all selected is skipped with the reason. */
export async function runSmokeTests(
  ctx: SmokeContext,
  tests: readonly SmokeTest[] = SMOKE_TESTS,
  onResult?: (r: SmokeResult) => void,
): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  for (const test of tests) {
    const base = {
      id: test.id,
      title: test.title,
      severity: 'critical' as const,
      remedy: test.remedy,
      source: 'verify',
    };
    const missing = test.services.find((s) => !ctx.target.services.some((t) => t.name === s));
    const why = missing ? (ctx.target.leftOut[missing] ?? `without=${missing}`) : test.notApplicable?.(ctx);
    let result: SmokeResult;
    if (why !== undefined) {
      result = {
        ...base,
        status: 'skipped',
        message: `skipped: ${why}`,
        reason: `skipped: ${why}`,
        attempts: 0,
        durationMs: 0,
      };
    } else if (ctx.signal.aborted) {
      result = {
        ...base,
        status: 'failed',
        message: 'not run: interrupted',
        reason: 'interrupted',
        attempts: 0,
        durationMs: 0,
      };
    } else {
      const started = performance.now();
      const timeout = AbortSignal.timeout((ctx.timeoutSeconds ?? 60) * 1000);
      const signal = AbortSignal.any([ctx.signal, timeout]);
      try {
        const message = await test.run({ ...ctx, signal });
        result = {
          ...base,
          status: 'passed',
          message,
          attempts: 1,
          durationMs: Math.round(performance.now() - started),
        };
      } catch (error) {
        const message = timeout.aborted
          ? `timed out after ${ctx.timeoutSeconds ?? 60}s`
          : (error as Error).message;
        result = {
          ...base,
          status: 'failed',
          message,
          reason: ctx.signal.aborted ? 'interrupted' : 'probe',
          attempts: 1,
          durationMs: Math.round(performance.now() - started),
        };
      }
    }
    results.push(result);
    onResult?.(result);
  }
  return results;
}
