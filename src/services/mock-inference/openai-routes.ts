import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, type Service } from '../kit/index.js';
import type { FailureType } from './config.js';
import type { Faults } from './faults.js';
import { countTokens, generate, hash32 } from './generate.js';
import type { MockInferenceMetrics } from './metrics.js';
import { Slots } from './slots.js';

export interface MockSettings {
  model: string;
  seed: number;
  ttftMs: number;
  itlMs: number;
  maxTokens: number;
  retryAfterMs: number;
  hangMs: number;
}

type Kind = 'chat' | 'text';

interface GenBody {
  messages?: unknown;
  prompt?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  seed?: unknown;
}

const sleep = (ms: number): Promise<void> | undefined =>
  ms > 0 ? new Promise((r) => setTimeout(r, ms)) : undefined;

function promptOf(kind: Kind, body: GenBody): string {
  if (kind === 'text') {
    if (typeof body.prompt === 'string') return body.prompt;
    if (Array.isArray(body.prompt) && body.prompt.every((p) => typeof p === 'string'))
      return body.prompt.join('\n');
    throw new HttpError(400, "'prompt' must be a string or an array of strings", {
      param: 'prompt',
      code: 'invalid_prompt',
    });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new HttpError(400, "'messages' must be a non-empty array", {
      param: 'messages',
      code: 'invalid_messages',
    });
  }
  return body.messages
    .map((m: unknown) => {
      const c = (m as { content?: unknown } | null)?.content;
      if (typeof c === 'string') return c;
      if (Array.isArray(c))
        return c.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join(' ');
      return '';
    })
    .join('\n');
}

function maxTokensOf(body: GenBody, dflt: number): number {
  const v = body.max_completion_tokens ?? body.max_tokens;
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new HttpError(400, "'max_tokens' must be a positive integer", {
      param: 'max_tokens',
      code: 'invalid_value',
    });
  }
  return Math.min(v, 65_536);
}

/** The OpenAI-compatible generation endpoints, with injected latency and failures. */
export function registerOpenAIRoutes(
  svc: Service,
  s: MockSettings,
  faults: Faults,
  m: MockInferenceMetrics,
  slots: Slots,
) {
  const loadingGuard = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (svc.state !== 'ready') {
      return reply
        .code(503)
        .send({ error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
    }
  };

  const models = async () => ({
    object: 'list',
    data: [{ id: s.model, object: 'model', created: 0, owned_by: 'llamacpp', meta: { mock: true } }],
  });
  svc.app.get('/v1/models', { onRequest: loadingGuard }, models);
  svc.app.get('/models', { onRequest: loadingGuard }, models);

  const handler = (kind: Kind) => async (req: FastifyRequest, reply: FastifyReply) => {
    const body = (req.body ?? {}) as GenBody;
    if (typeof body !== 'object' || Array.isArray(body))
      throw new HttpError(400, 'body must be a JSON object');
    const prompt = promptOf(kind, body);
    const maxTokens = maxTokensOf(body, s.maxTokens);
    const seed = typeof body.seed === 'number' && Number.isInteger(body.seed) ? body.seed : s.seed;
    const stream = body.stream === true;
    const includeUsage = stream && body.stream_options?.include_usage === true;
    const failure = faults.draw();
    if (failure === '500')
      throw new HttpError(500, 'Injected failure', { type: 'server_error', code: 'injected_failure' });
    if (failure === '429') {
      throw new HttpError(429, 'Injected rate limit', {
        code: 'rate_limit_exceeded',
        headers: { 'retry-after': String(Math.ceil(s.retryAfterMs / 1000)) },
      });
    }

    reply.hijack();
    const res = reply.raw;
    let gone = false;
    res.once('close', () => (gone = true));
    await slots.acquire(m);
    m.processing.inc();
    try {
      if (failure === 'timeout') {
        await Promise.race([sleep(s.hangMs), new Promise((r) => res.once('close', r))]);
        res.destroy();
        return;
      }
      const promptTokens = countTokens(prompt) + (kind === 'chat' ? (body.messages as unknown[]).length : 0);
      const gen = generate({ seed, model: s.model, prompt, maxTokens });
      const t0 = performance.now();
      await sleep(s.ttftMs);
      m.promptTokens.inc(promptTokens);
      m.promptSeconds.inc((performance.now() - t0) / 1000);
      if (gone) return;
      if (failure === 'drop' && !stream) {
        res.destroy();
        return;
      }
      const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${hash32(`${req.id}`).toString(16)}${Date.now().toString(16)}`;
      const created = Math.floor(Date.now() / 1000);
      const object = kind === 'chat' ? 'chat.completion' : 'text_completion';
      const usage = {
        prompt_tokens: promptTokens,
        completion_tokens: gen.tokens.length,
        total_tokens: promptTokens + gen.tokens.length,
      };
      const t1 = performance.now();
      if (!stream) {
        await sleep(s.itlMs * (gen.tokens.length - 1));
        countPredicted(m, gen.tokens.length, t1);
        const text = gen.tokens.join('');
        const choice =
          kind === 'chat'
            ? {
                index: 0,
                message: { role: 'assistant', content: text },
                logprobs: null,
                finish_reason: gen.finishReason,
              }
            : { index: 0, text, logprobs: null, finish_reason: gen.finishReason };
        const json = JSON.stringify({ id, object, created, model: s.model, choices: [choice], usage });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
        res.end(json);
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const chunkObject = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
      const send = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
        res.write(
          `data: ${JSON.stringify({ id, object: chunkObject, created, model: s.model, choices, ...extra })}\n\n`,
        );
      };
      const piece = (text: string, finish: string | null, first = false) =>
        kind === 'chat'
          ? {
              index: 0,
              delta: finish ? {} : first ? { role: 'assistant', content: text } : { content: text },
              logprobs: null,
              finish_reason: finish,
            }
          : { index: 0, text, logprobs: null, finish_reason: finish };
      const dropAt = failure === 'drop' ? Math.max(1, Math.floor(gen.tokens.length / 2)) : -1;
      for (let i = 0; i < gen.tokens.length; i++) {
        if (i > 0) await sleep(s.itlMs);
        if (gone) return;
        if (i === dropAt) {
          // flush what was written, then cut the connection without a final event
          if (res.socket) res.socket.destroySoon();
          else res.destroy();
          return;
        }
        send([piece(gen.tokens[i] ?? '', null, i === 0)]);
        m.decodes.inc();
      }
      countPredicted(m, gen.tokens.length, t1);
      send([piece('', gen.finishReason)]);
      if (includeUsage) send([], { usage });
      res.end('data: [DONE]\n\n');
    } finally {
      m.processing.dec();
      slots.release();
    }
  };

  svc.app.post('/v1/chat/completions', { onRequest: loadingGuard }, handler('chat'));
  svc.app.post('/chat/completions', { onRequest: loadingGuard }, handler('chat'));
  svc.app.post('/v1/completions', { onRequest: loadingGuard }, handler('text'));
  svc.app.post('/completions', { onRequest: loadingGuard }, handler('text'));
}

function countPredicted(m: MockInferenceMetrics, n: number, since: number): void {
  m.predictedTokens.inc(n);
  m.predictedSeconds.inc((performance.now() - since) / 1000);
}

export type { FailureType };
