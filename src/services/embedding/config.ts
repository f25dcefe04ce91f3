import { env, kitEnv, type EnvValues } from '../kit/index.js';

export const BACKENDS = ['hashing', 'onnx'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const POOLINGS = ['cls', 'mean'] as const;
export type Pooling = (typeof POOLINGS)[number];

/** Environment of the embedding service (names fixed by the suite model; see docs/services.md). */
export const embeddingEnv = {
  ...kitEnv,
  EMBEDDING_BACKEND: env.enum(BACKENDS, {
    default: 'hashing',
    doc: 'hashing (deterministic, lexical, CPU profile) or onnx (transformers.js from MODELS_DIR)',
  }),
  EMBEDDING_MODEL: env.string({
    default: 'BAAI/bge-small-en-v1.5',
    doc: 'model name; for onnx a directory under MODELS_DIR; for hashing only a label',
  }),
  MODELS_DIR: env.string({
    default: '/models',
    doc: 'local models root for the onnx backend (remote downloads are off)',
  }),
  EMBEDDING_POOLING: env.enum(POOLINGS, {
    doc: "onnx pooling; unset: from the model's 1_Pooling/config.json, else cls for bge models, else mean",
  }),
  EMBEDDING_DIM: env.int({
    default: 384,
    min: 8,
    max: 65536,
    doc: 'dimension of the hashing backend (the default model has 384)',
  }),
  MAX_TEXTS: env.int({ default: 1024, min: 1, max: 100_000, doc: 'texts per request; more are dropped' }),
  MAX_CHARS: env.int({
    default: 8000,
    min: 1,
    max: 1_000_000,
    doc: 'characters per text; longer texts are cut',
  }),
  MAX_BATCH: env.int({
    default: 64,
    min: 1,
    max: 4096,
    doc: 'texts per model call (a request is split into batches of this size)',
  }),
};

export type EmbeddingConfig = EnvValues<typeof embeddingEnv>;
