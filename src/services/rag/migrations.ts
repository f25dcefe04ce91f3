/**
 * Schema migrations, run at start, idempotently: each version runs once in its own transaction,
 * recorded in `rag_schema_migrations`; an advisory lock keeps two starting replicas from racing.
 * The highest applied version is the schema version /health reports (rollback compares it).
 */
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Dimension of the suite's default model; other dimensions get their index on first use. */
export const DEFAULT_DIMENSION = 384;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'collections, documents, chunks with pgvector',
    sql: `
      CREATE EXTENSION IF NOT EXISTS vector;
      CREATE TABLE rag_collections (
        id          serial PRIMARY KEY,
        name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        dimension   integer NOT NULL CHECK (dimension > 0),
        model       text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE rag_documents (
        collection_id integer NOT NULL REFERENCES rag_collections(id) ON DELETE CASCADE,
        doc_id        text NOT NULL,
        metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
        chunk_count   integer NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (collection_id, doc_id)
      );
      -- One vector column of any dimension; the HNSW indexes are partial, one per dimension,
      -- over an expression cast to that dimension (pgvector's recipe for mixed dimensions).
      CREATE TABLE rag_chunks (
        id            bigserial PRIMARY KEY,
        collection_id integer NOT NULL,
        doc_id        text NOT NULL,
        chunk_index   integer NOT NULL,
        content       text NOT NULL,
        dim           integer NOT NULL,
        embedding     vector NOT NULL,
        FOREIGN KEY (collection_id, doc_id) REFERENCES rag_documents(collection_id, doc_id) ON DELETE CASCADE,
        UNIQUE (collection_id, doc_id, chunk_index)
      );
      CREATE INDEX rag_chunks_hnsw_${DEFAULT_DIMENSION} ON rag_chunks
        USING hnsw ((embedding::vector(${DEFAULT_DIMENSION})) vector_cosine_ops)
        WHERE dim = ${DEFAULT_DIMENSION};
    `,
  },
  {
    version: 2,
    name: 'collections record the embedding backend',
    // NULL: written by a rag before this version, or the embedding service did not say; the next
    // index fills it in. A rag of version 1 (a rollback) leaves the column out of its inserts.
    sql: 'ALTER TABLE rag_collections ADD COLUMN IF NOT EXISTS backend text;',
  },
];

/** The version this code knows best. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const LOCK_KEY = 0x7261_6701; // "rag" + 1: an arbitrary constant shared by every rag replica

/** Applies pending migrations; resolves to the applied and the database's schema version. */
export async function migrate(pool: pg.Pool): Promise<{ applied: number[]; schemaVersion: number }> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS rag_schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM rag_schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO rag_schema_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
      }
      applied.push(m.version);
    }
    const v = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM rag_schema_migrations');
    return { applied, schemaVersion: v.rows[0]?.v ?? 0 };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
