/** The Postgres pool: DATABASE_URL when set, else the standard PG* variables. */
import pg from 'pg';
import type { RagConfig } from './config.js';

export function createPool(cfg: RagConfig, onError: (e: Error) => void): pg.Pool {
  const common = {
    max: cfg.PG_POOL_MAX,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'aisuite-rag',
    // pgvector >= 0.8: keep walking the HNSW graph until LIMIT rows pass the collection filter
    // (exact order kept). Older pgvector ignores the unknown setting with a warning.
    options: '-c hnsw.iterative_scan=strict_order',
  };
  const pool = new pg.Pool(
    cfg.DATABASE_URL
      ? { ...common, connectionString: cfg.DATABASE_URL }
      : {
          ...common,
          host: cfg.PGHOST,
          port: cfg.PGPORT,
          user: cfg.PGUSER,
          database: cfg.PGDATABASE,
          password: cfg.PGPASSWORD,
        },
  );
  // An idle client losing its connection (Postgres restarting) must not crash the process.
  pool.on('error', onError);
  return pool;
}
