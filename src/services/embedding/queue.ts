/**
 * A FIFO in front of the model: one request at a time runs on it (an ONNX session is already
 * multi-threaded inside), split into batches of MAX_BATCH texts. Feeds the queue and batch metrics.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EmbedderInfo, Phase } from './backend.js';
import type { EmbeddingMetrics } from './metrics.js';
import type { ModelHolder } from './model-holder.js';

export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`the embedding queue is full (${limit} requests waiting); retry shortly`);
    this.name = 'QueueFullError';
  }
}

export interface EmbedResult {
  vectors: number[][];
  model: string;
  backend: EmbedderInfo['backend'];
  dimension: number;
}

export class EmbedQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly holder: ModelHolder,
    private readonly metrics: EmbeddingMetrics,
    private readonly maxBatch: number,
    private readonly maxWaiting = 256,
  ) {}

  get size(): number {
    return this.waiting;
  }

  embed(texts: readonly string[]): Promise<EmbedResult> {
    if (this.waiting >= this.maxWaiting) return Promise.reject(new QueueFullError(this.maxWaiting));
    const enqueued = process.hrtime.bigint();
    this.waiting++;
    this.metrics.queueSize.set(this.waiting);
    const run = this.tail.then(async () => {
      this.waiting--;
      this.metrics.queueSize.set(this.waiting);
      this.metrics.queueDuration.observe(Number(process.hrtime.bigint() - enqueued) / 1e9);
      return this.work(texts);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async work(texts: readonly string[]): Promise<EmbedResult> {
    const lease = this.holder.lease();
    try {
      const { embedder } = lease;
      const time = (phase: Phase, s: number): void =>
        (phase === 'tokenization'
          ? this.metrics.tokenizationDuration
          : this.metrics.inferenceDuration
        ).observe(s);
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += this.maxBatch) {
        const batch = texts.slice(i, i + this.maxBatch);
        this.metrics.batchSize.observe(batch.length);
        vectors.push(...(await embedder.embed(batch, time)));
        // Let probes and other sockets be served between batches of a large request.
        if (i + this.maxBatch < texts.length) await yieldToLoop();
      }
      const { model, backend, dimension } = embedder.info;
      return { vectors, model, backend, dimension };
    } finally {
      lease.release();
    }
  }
}
