/**
 * The SQLite database of the mcp-server (better-sqlite3): opened in WAL mode with foreign keys and
 * a busy timeout, and migrated with `PRAGMA user_version` so a restart keeps every row.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Default of how long a writer waits for another connection's lock before SQLite gives up with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/** True for SQLite's "another connection holds the lock" errors (after busy_timeout ran out). */
export function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tokens (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    token_sha256  TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    bootstrap     INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
  );
  CREATE TABLE role_permissions (
    role_id    INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
  );
  CREATE TABLE token_roles (
    token_id   INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    role_id    INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    granted_at INTEGER NOT NULL,
    granted_by INTEGER REFERENCES tokens(id),
    PRIMARY KEY (token_id, role_id)
  );
  CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    token_id INTEGER REFERENCES tokens(id),
    tool     TEXT NOT NULL,
    result   TEXT NOT NULL CHECK (result IN ('allowed', 'denied')),
    detail   TEXT
  );
  CREATE INDEX audit_at ON audit(at);
  CREATE INDEX audit_token ON audit(token_id, at);
  CREATE TABLE approvals (
    id            TEXT PRIMARY KEY,
    token_id      INTEGER NOT NULL REFERENCES tokens(id),
    tool          TEXT NOT NULL,
    args_json     TEXT NOT NULL,
    args_sha256   TEXT NOT NULL,
    status        TEXT NOT NULL
                  CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'executed')),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    decided_at    INTEGER,
    decided_by    INTEGER REFERENCES tokens(id),
    reason        TEXT,
    executed_at   INTEGER,
    result_status TEXT
  );
  CREATE INDEX approvals_status ON approvals(status, expires_at);
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
];

/** Opens (creating the file and its directory if needed) and migrates the database. */
export function openDb(file: string, busyTimeoutMs = BUSY_TIMEOUT_MS): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Db;
  try {
    db = new Database(file);
  } catch (e) {
    // The usual cause in a container: a volume mounted root-owned while the service runs as a user.
    const uid = process.getuid?.();
    throw new Error(
      `cannot open the database ${file} (${(e as Error).message}); its directory must be writable` +
        (uid === undefined ? '' : ` by uid ${uid}`),
      { cause: e },
    );
  }
  // busy_timeout first: the journal-mode switch itself needs a lock another process may hold.
  db.pragma(`busy_timeout = ${Math.round(busyTimeoutMs)}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (file !== ':memory:' && String(mode).toLowerCase() !== 'wal') {
    db.close();
    throw new Error(`could not switch ${file} to WAL mode (journal_mode=${String(mode)})`);
  }
  db.pragma('foreign_keys = ON');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  const pending = MIGRATIONS.slice(version);
  if (pending.length === 0) return;
  // IMMEDIATE: two processes starting on one file must not both run a migration.
  db.transaction(() => {
    const now = Number(db.pragma('user_version', { simple: true }));
    MIGRATIONS.slice(now).forEach((sql) => db.exec(sql));
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** `db.prepare` with a per-connection cache: preparing costs more than running a small statement. */
export function statementCache(db: Db): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
}
