/** What the embedding service needs from a model backend. */
export interface EmbedderInfo {
  backend: 'hashing' | 'onnx';
  model: string;
  dimension: number;
  /** False for the hashing backend: its similarity is word overlap, not meaning. */
  semantic: boolean;
  pooling?: string;
  normalized: true;
  description: string;
}

export type Phase = 'tokenization' | 'inference';

export interface Embedder {
  readonly info: EmbedderInfo;
  /** One L2-normalised vector per text; `time` receives the seconds spent per phase. */
  embed(texts: readonly string[], time: (phase: Phase, seconds: number) => void): Promise<number[][]>;
  /** Releases the model's memory (native sessions included). */
  dispose(): Promise<void>;
}

/** Seconds since `t0` (from process.hrtime.bigint()). */
export function since(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
