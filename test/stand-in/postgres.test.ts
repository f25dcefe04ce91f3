import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmpty, listByLabel, removeByLabel } from '../support/docker-leftovers.js';
import { startPostgres, type StartedPostgres } from '../support/postgres.js';
import { TEST_LABEL, TEST_RUN_LABEL, execIn, runOnce } from '../support/stand-in/containers.js';
import { ensureStandInImages } from '../support/stand-in/images.js';
import { BUILD_TIMEOUT_MS } from '../support/stand-in/timeouts.js';

// Contract of aisuite-standin/pgvector:pg17 against what the official postgres / pgvector image does.
const docker = new Docker();
const run = randomUUID();
const labels = { [TEST_RUN_LABEL]: run };
let image: string;
let initDir: string;

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  image = (await ensureStandInImages(['postgres'])).postgres!;
  initDir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-pg-init-'));
  // Read by uid 999 inside the container.
  await chmod(initDir, 0o755);
  await writeFile(
    path.join(initDir, '01-schema.sql'),
    'CREATE TABLE init_runs (id serial PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO init_runs DEFAULT VALUES;\n',
  );
  await writeFile(
    path.join(initDir, '02-marker.sh'),
    'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "CREATE TABLE from_shell (who text); INSERT INTO from_shell VALUES (current_user)"\n',
  );
  await writeFile(path.join(initDir, '03-extension.sql.gz'), gzipSync('CREATE EXTENSION vector;\n'));
  await chmod(path.join(initDir, '03-extension.sql.gz'), 0o644);
  await chmod(path.join(initDir, '01-schema.sql'), 0o644);
  await chmod(path.join(initDir, '02-marker.sh'), 0o644);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await removeByLabel(TEST_RUN_LABEL, run, docker);
  if (initDir) await rm(initDir, { recursive: true, force: true });
});

describe('pgvector stand-in', { timeout: 180_000 }, () => {
  it('initialises POSTGRES_USER/PASSWORD/DB, runs initdb.d once and serves pgvector (HNSW, cosine <=>)', async () => {
    // Given a fresh data volume and init scripts
    const volume = `aisuite-test-pg-${run.slice(0, 8)}`;
    await docker.createVolume({ Name: volume, Labels: { [TEST_LABEL]: '1', ...labels } });
    const password = 'first-password';
    let pgA: StartedPostgres | undefined = await startPostgres({
      user: 'rag',
      database: 'ragdb',
      password,
      volume,
      initDir,
      labels,
      // As aisuite runs it: the entrypoint drops from root to postgres without gaining privileges.
      securityOpt: ['no-new-privileges:true'],
    });
    try {
      // When a client connects over TCP as that user
      await withClient(pgA.url, async (client) => {
        const who = await client.query('SELECT current_user AS u, current_database() AS d');
        expect(who.rows[0]).toEqual({ u: 'rag', d: 'ragdb' });
        const fromShell = await client.query('SELECT who FROM from_shell');
        expect(fromShell.rows).toEqual([{ who: 'rag' }]);

        // Then pgvector works the way the rag service uses it (the extension came from the .sql.gz script)
        const ext = await client.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
        expect(ext.rows[0]?.extversion).toMatch(/^0\.8\./);
        await client.query('CREATE TABLE chunks (id int PRIMARY KEY, embedding vector(3))');
        await client.query('CREATE INDEX ON chunks USING hnsw (embedding vector_cosine_ops)');
        await client.query(
          "INSERT INTO chunks VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.9,0.1,0]'), (4, '[0,0,1]')",
        );
        await client.query('SET enable_seqscan = off');
        const plan = await client.query(
          "EXPLAIN SELECT id FROM chunks ORDER BY embedding <=> '[1,0,0]' LIMIT 2",
        );
        expect(plan.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n')).toMatch(
          /chunks_embedding_idx/,
        );
        const nearest = await client.query(
          "SELECT id, round((embedding <=> '[1,0,0]')::numeric, 4) AS distance FROM chunks ORDER BY embedding <=> '[1,0,0]' LIMIT 2",
        );
        expect(nearest.rows.map((r: { id: number }) => r.id)).toEqual([1, 3]);
        expect(Number(nearest.rows[0].distance)).toBe(0);
      });

      // And a wrong password over TCP is refused (password auth for non-local connections)
      const wrong = new pg.Client({
        host: pgA.host,
        port: pgA.port,
        user: 'rag',
        database: 'ragdb',
        password: 'nope',
      });
      await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
      await wrong.end().catch(() => undefined);

      // And the server runs as postgres (uid 999), pg_isready is on PATH
      const container = docker.getContainer(pgA.containerId);
      const status = await execIn(container, ['cat', '/proc/1/status']);
      expect(status.stdout).toMatch(/^Uid:\s+999\s/m);
      const ready = await execIn(container, ['pg_isready', '-U', 'rag', '-d', 'ragdb', '-h', '127.0.0.1']);
      expect(ready.exitCode).toBe(0);

      // When the container is replaced by a new one on the same volume
      await pgA.stop();
      pgA = undefined;
      const pgB = await startPostgres({ user: 'rag', database: 'ragdb', password, volume, initDir, labels });
      try {
        // Then the data is still there, and init scripts did not run again
        await withClient(pgB.url, async (client) => {
          const runs = await client.query('SELECT count(*)::int AS n FROM init_runs');
          expect(runs.rows[0].n).toBe(1);
          const rows = await client.query("SELECT id FROM chunks ORDER BY embedding <=> '[0,0,1]' LIMIT 1");
          expect(rows.rows).toEqual([{ id: 4 }]);
        });
      } finally {
        await pgB.stop();
      }
    } finally {
      await pgA?.stop();
      await docker.getVolume(volume).remove();
    }
  });

  it('refuses to initialise without POSTGRES_PASSWORD, like the official image', async () => {
    const result = await runOnce(docker, image, undefined, { labels });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/superuser password is not specified/);
  });

  it('accepts POSTGRES_HOST_AUTH_METHOD=trust without a password', async () => {
    const trusted = await startPostgres({
      password: '',
      env: { POSTGRES_HOST_AUTH_METHOD: 'trust' },
      labels,
    });
    try {
      const client = new pg.Client({
        host: trusted.host,
        port: trusted.port,
        user: 'postgres',
        password: 'anything',
      });
      await client.connect();
      const result = await client.query('SELECT current_user AS u');
      await client.end();
      expect(result.rows[0]).toEqual({ u: 'postgres' });
    } finally {
      await trusted.stop();
    }
  });

  it('prints the version without initialising, like the official entrypoint', async () => {
    const result = await runOnce(docker, image, ['postgres', '--version'], { labels });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/PostgreSQL\) 17\./);
  });

  it('left no container or volume of this run behind', async () => {
    expect(isEmpty(await listByLabel(TEST_RUN_LABEL, run, docker))).toBe(true);
  });
});
