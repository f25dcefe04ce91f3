import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import pg from 'pg';
import { TEST_LABEL, waitUntil } from './stand-in/containers.js';
import { ensureStandInImages } from './stand-in/images.js';

export type StartPostgresOptions = {
  user?: string;
  database?: string;
  /** Default: a random one. */
  password?: string;
  /** Default: the pgvector stand-in (built if missing). */
  image?: string;
  /** A named volume for PGDATA (kept on stop); default: an anonymous volume removed on stop. */
  volume?: string;
  /** A host folder mounted read-only at /docker-entrypoint-initdb.d. */
  initDir?: string;
  /** Extra environment, e.g. POSTGRES_INITDB_ARGS. */
  env?: Record<string, string>;
  /** A user-defined network to join, with `networkAlias` as its name there. */
  network?: string;
  networkAlias?: string;
  labels?: Record<string, string>;
  /** e.g. `['no-new-privileges:true']`, as aisuite renders it. */
  securityOpt?: string[];
  timeoutMs?: number;
  docker?: Docker;
};

export type StartedPostgres = {
  url: string;
  host: string;
  port: number;
  user: string;
  database: string;
  password: string;
  containerId: string;
  stop(): Promise<void>;
};

async function connects(config: pg.ClientConfig): Promise<boolean> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs PostgreSQL 17 + pgvector (the stand-in by default) on 127.0.0.1 with a random host port and a
 * generated password; resolves once a real client connection over TCP succeeds.
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<StartedPostgres> {
  const docker = opts.docker ?? new Docker();
  const image = opts.image ?? (await ensureStandInImages(['postgres'])).postgres!;
  const user = opts.user ?? 'postgres';
  const database = opts.database ?? user;
  const password = opts.password ?? randomBytes(18).toString('base64url');
  const binds = [
    ...(opts.volume ? [`${opts.volume}:/var/lib/postgresql/data`] : []),
    ...(opts.initDir ? [`${opts.initDir}:/docker-entrypoint-initdb.d:ro`] : []),
  ];
  const container = await docker.createContainer({
    Image: image,
    Env: [
      `POSTGRES_USER=${user}`,
      `POSTGRES_PASSWORD=${password}`,
      `POSTGRES_DB=${database}`,
      ...Object.entries(opts.env ?? {}).map(([key, value]) => `${key}=${value}`),
    ],
    Labels: { [TEST_LABEL]: '1', ...opts.labels },
    ExposedPorts: { '5432/tcp': {} },
    HostConfig: {
      PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      Binds: binds,
      NetworkMode: opts.network,
      SecurityOpt: opts.securityOpt,
    },
    NetworkingConfig: opts.network
      ? { EndpointsConfig: { [opts.network]: { Aliases: opts.networkAlias ? [opts.networkAlias] : [] } } }
      : undefined,
  });
  const stop = async () => {
    // v: the anonymous PGDATA volume goes with the container; a named volume stays.
    await container.remove({ force: true, v: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  };
  try {
    await container.start();
    const info = await container.inspect();
    const port = Number(info.NetworkSettings.Ports['5432/tcp']?.[0]?.HostPort);
    const host = '127.0.0.1';
    // The entrypoint's init server listens on the unix socket only, so a TCP connection means the
    // real server is up with the user, password and database in place.
    await waitUntil(
      container,
      'postgres',
      () => connects({ host, port, user, password, database }),
      opts.timeoutMs ?? 120_000,
    );
    const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
    return { url, host, port, user, database, password, containerId: container.id, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
