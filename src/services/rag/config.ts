import { env, kitEnv, type EnvValues } from '../kit/index.js';

/** Environment of the rag service (names fixed by the suite model; see docs/services.md, "rag"). */
export const ragEnv = {
  ...kitEnv,
  DATABASE_URL: env.string({
    doc: 'postgres:// URL; when set it wins over the PG* variables (used by tests)',
    secret: true,
  }),
  PGHOST: env.string({ default: 'postgres', doc: 'Postgres host' }),
  PGPORT: env.int({ default: 5432, min: 1, max: 65535, doc: 'Postgres port' }),
  PGUSER: env.string({ default: 'postgres', doc: 'Postgres user' }),
  PGDATABASE: env.string({ default: 'postgres', doc: 'Postgres database' }),
  PGPASSWORD: env.string({ doc: 'Postgres password (secret)', secret: true }),
  PG_POOL_MAX: env.int({ default: 10, min: 1, max: 200, doc: 'connections in the Postgres pool' }),
  PG_PREPARE: env.bool({
    default: true,
    doc: 'run the search as a named statement (parsed once per connection); false behind a pooler that cannot keep them',
  }),
  EMBEDDING_URL: env.url({ default: 'http://embedding:8080', doc: 'base URL of the embedding service' }),
  EMBEDDING_TIMEOUT: env.duration({ default: 30_000, doc: 'timeout of one embedding call' }),
  EMBED_BATCH: env.int({ default: 64, min: 1, max: 1024, doc: 'chunks per embedding call when indexing' }),
  GATEWAY_URL: env.url({ default: 'http://api-gateway:8080', doc: 'base URL of the api-gateway (answers)' }),
  GATEWAY_API_KEY: env.string({ doc: 'API key for the gateway (secret; never logged)', secret: true }),
  CHAT_MODEL: env.string({ default: 'chat', doc: 'gateway model group used for answers' }),
  ANSWER_TIMEOUT: env.duration({ default: 60_000, doc: 'timeout of the answer call to the gateway' }),
  ANSWER_MAX_TOKENS: env.int({ default: 512, min: 1, max: 32_768, doc: 'max_tokens of an answer' }),
  CHUNK_SIZE: env.int({ default: 1000, min: 100, max: 8000, doc: 'target chunk length in characters' }),
  CHUNK_OVERLAP: env.int({
    default: 150,
    min: 0,
    max: 4000,
    doc: 'characters shared by neighbouring chunks',
  }),
  MAX_DOCUMENTS: env.int({ default: 1000, min: 1, max: 100_000, doc: 'documents per /index request' }),
  MAX_DOCUMENT_CHARS: env.int({
    default: 1_000_000,
    min: 1,
    max: 50_000_000,
    doc: 'characters per document',
  }),
  MAX_QUERY_CHARS: env.int({ default: 4000, min: 1, max: 100_000, doc: 'characters of a query' }),
  MAX_TOP_K: env.int({ default: 50, min: 1, max: 1000, doc: 'largest accepted top_k' }),
  HEALTH_CHECK_INTERVAL: env.duration({
    default: 5_000,
    doc: 'how often the background checks of postgres, embedding and gateway run',
  }),
  MAX_BODY: env.int({
    default: 16 * 1024 * 1024,
    min: 1024,
    max: 1024 * 1024 * 1024,
    doc: 'largest request body in bytes (413 above)',
  }),
};

export type RagConfig = EnvValues<typeof ragEnv>;
