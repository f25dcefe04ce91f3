/**
 * Clients for the services rag depends on: the embedding service (vectors; without it nothing can
 * be indexed or searched) and the api-gateway (answers; without it chunks are still returned).
 * They use undici's request() on a keep-alive agent rather than fetch(): fetch streams the body
 * after the headers, which costs an extra event-loop turn on both sides and measured 6-8x the
 * latency of request() for a one-text embedding call on a loaded host.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { DEPENDENCIES } from './metrics.js';

/** A dependency that cannot serve now: the request gets 503 with Retry-After. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: (typeof DEPENDENCIES)[number],
    message: string,
  ) {
    super(message);
    this.name = 'DependencyUnavailableError';
  }
}

function reason(e: unknown): string {
  const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timed out';
  return err?.code ?? err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

export interface EmbedResponse {
  vectors: number[][];
  model: string;
  /** Which backend made the vectors, when the service says (aisuite's does; OpenAI's API does not). */
  backend?: string;
  dimension: number;
}

export class EmbeddingClient {
  private readonly agent: Dispatcher;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly batch: number,
  ) {
    this.agent = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** Embeds `texts` in batches; any transport failure or 5xx means "embedding unavailable". */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbedResponse> {
    const vectors: number[][] = [];
    let model = '';
    let backend: string | undefined;
    let dimension = 0;
    for (let i = 0; i < texts.length; i += this.batch) {
      const part = texts.slice(i, i + this.batch);
      const r = await this.call(part, signal);
      if (r.embeddings.length !== part.length) {
        throw new Error(`embedding returned ${r.embeddings.length} vectors for ${part.length} texts`);
      }
      vectors.push(...r.embeddings);
      model = r.model;
      backend = r.backend;
      dimension = r.dimension;
    }
    return { vectors, model, backend, dimension };
  }

  private async call(
    texts: string[],
    signal?: AbortSignal,
  ): Promise<{ embeddings: number[][]; model: string; backend?: string; dimension: number }> {
    type Embedded = {
      data?: Array<{ index?: number; embedding?: string | number[] }>;
      model?: string;
      backend?: unknown;
      error?: { message?: string };
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.baseUrl}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: texts, encoding_format: 'base64' }),
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)])
          : AbortSignal.timeout(this.timeoutMs),
        dispatcher: this.agent,
      });
    } catch (e) {
      throw new DependencyUnavailableError('embedding', `embedding service unreachable: ${reason(e)}`);
    }
    if (res.statusCode >= 500 || res.statusCode === 429) {
      await res.body.dump();
      throw new DependencyUnavailableError('embedding', `embedding service answered ${res.statusCode}`);
    }
    let body: Embedded | undefined;
    try {
      body = (await res.body.json()) as Embedded;
    } catch (e) {
      // the connection dropped mid-body: the service is going away, not rejecting the request
      if ((e as Error).name !== 'SyntaxError') {
        throw new DependencyUnavailableError('embedding', `embedding service unreachable: ${reason(e)}`);
      }
    }
    if (res.statusCode >= 300 || !Array.isArray(body?.data)) {
      throw new Error(
        `embedding service rejected the request (${res.statusCode}): ${body?.error?.message ?? 'no body'}`,
      );
    }
    // OpenAI's answer says each vector's place in `index`; every place must be filled exactly once
    const embeddings = new Array<number[] | undefined>(body.data.length);
    body.data.forEach((d, i) => {
      const at = d.index ?? i;
      if (!Number.isInteger(at) || at < 0 || at >= embeddings.length || embeddings[at]) {
        throw new Error(`embedding service answered with a bad index ${JSON.stringify(d.index)}`);
      }
      embeddings[at] = decodeEmbedding(d.embedding);
    });
    return {
      embeddings: embeddings as number[][],
      model: body.model ?? 'unknown',
      backend: typeof body.backend === 'string' ? body.backend : undefined,
      dimension: embeddings[0]?.length ?? 0,
    };
  }
}

/**
 * One vector of an OpenAI embeddings answer: base64 of little-endian float32 (what `encoding_format:
 * base64` asks for: a quarter of the bytes of JSON numbers, no number formatting or parsing on
 * either side) or, from a server that ignores the option, a JSON array.
 */
export function decodeEmbedding(e: string | number[] | undefined): number[] {
  if (Array.isArray(e)) return e;
  if (typeof e !== 'string') throw new Error('embedding service answered without an embedding');
  const bytes = Buffer.from(e, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`embedding of ${bytes.length} bytes is not float32 data`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Array<number>(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export type AnswerResult =
  | { answer: string; model: string }
  | { answer: null; reason: 'gateway_unavailable' | 'gateway_error'; message: string };

export interface ContextChunk {
  document_id: string;
  text: string;
}

const SYSTEM_PROMPT =
  'You answer questions using only the numbered context passages. Cite passages as [n]. ' +
  'If the context does not contain the answer, say that you do not know.';

/** The chat messages sent to the gateway for a question and its retrieved chunks. */
export function answerMessages(query: string, chunks: readonly ContextChunk[]) {
  const context = chunks.map((c, i) => `[${i + 1}] (${c.document_id}) ${c.text}`).join('\n\n');
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: `Context:\n${context}\n\nQuestion: ${query}` },
  ];
}

export class GatewayClient {
  private readonly agent = new Agent({ connections: 16, keepAliveTimeout: 30_000 });

  close(): Promise<void> {
    return this.agent.close();
  }

  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly model: string,
    private readonly timeoutMs: number,
    private readonly maxTokens: number,
  ) {}

  /** Never throws: an unavailable or failing gateway yields `answer: null` with the reason. */
  async answer(query: string, chunks: readonly ContextChunk[]): Promise<AnswerResult> {
    let res: Dispatcher.ResponseData;
    type Completion = {
      model?: string;
      choices?: Array<{ message?: { content?: string } }>;
      error?: { message?: string };
    };
    let body: Completion | undefined;
    try {
      res = await request(`${this.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.model,
          messages: answerMessages(query, chunks),
          temperature: 0,
          max_tokens: this.maxTokens,
          stream: false,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
        dispatcher: this.agent,
      });
      body = (await res.body.json().catch(() => undefined)) as Completion | undefined;
    } catch (e) {
      return { answer: null, reason: 'gateway_unavailable', message: `gateway unreachable: ${reason(e)}` };
    }
    const content = body?.choices?.[0]?.message?.content;
    const status = res.statusCode;
    if (status !== 200 || typeof content !== 'string') {
      return {
        answer: null,
        reason: status >= 500 || status === 429 ? 'gateway_unavailable' : 'gateway_error',
        message: `gateway answered ${status}: ${body?.error?.message ?? 'no completion in the response'}`,
      };
    }
    return { answer: content, model: body?.model ?? this.model };
  }
}
