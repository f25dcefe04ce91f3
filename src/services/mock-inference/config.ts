import { env, kitEnv } from '../kit/index.js';

export const FAILURE_TYPES = ['500', '429', 'timeout', 'drop'] as const;
export type FailureType = (typeof FAILURE_TYPES)[number];

/** Every variable mock-inference reads (docs/services.md lists them with the same words). */
export const mockInferenceEnv = {
  ...kitEnv,
  MODEL_NAME: env.string({ default: 'mock-chat', doc: 'model id served in responses and /v1/models' }),
  MOCK_SEED: env.int({
    default: 42,
    min: 0,
    max: 2 ** 31 - 1,
    doc: 'seed of the deterministic output (a request `seed` overrides it)',
  }),
  MOCK_LOAD_TIME: env.duration({
    default: 0,
    doc: 'time spent "loading the model" after start; /health is 503 meanwhile',
  }),
  MOCK_TTFT: env.duration({ default: 0, doc: 'time to first token (prompt processing time)' }),
  MOCK_ITL: env.duration({ default: 0, doc: 'inter-token latency between generated tokens' }),
  MOCK_MAX_TOKENS: env.int({
    default: 64,
    min: 1,
    max: 65_536,
    doc: 'tokens generated when a request sets no max_tokens',
  }),
  MOCK_PARALLEL: env.int({
    default: 0,
    min: 0,
    max: 4096,
    doc: 'slots (like llama.cpp --parallel); requests beyond it wait (requests_deferred). 0 = unlimited',
  }),
  MOCK_FAILURE_RATE: env.float({
    default: 0,
    min: 0,
    max: 1,
    doc: 'share of generation requests that fail (0..1)',
  }),
  MOCK_FAILURE_TYPE: env.enum(FAILURE_TYPES, {
    default: '500',
    doc: 'how a failing request fails: 500, 429 (with Retry-After), timeout (never answers), drop (connection cut; mid-stream for streams)',
  }),
  MOCK_RETRY_AFTER: env.duration({
    default: 1000,
    bareUnit: 's',
    doc: 'Retry-After sent with injected 429s',
  }),
  MOCK_HANG_TIME: env.duration({
    default: 300_000,
    doc: 'how long a `timeout` failure holds the connection before closing it',
  }),
  MOCK_ADMIN: env.bool({
    default: false,
    doc: 'enable PUT /mock/faults to change failure rate/type at run time (tests, chaos drills)',
  }),
};
