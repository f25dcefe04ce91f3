/**
 * Read-only calls to the Docker engine over plain node:http, and a dockerode-shaped client that uses
 * them, loading dockerode itself only when a call needs it.
 *
 * Why: loading dockerode costs ~0.17-0.2 s of every command on a small host (docker-modem pulls in
 * ssh2, dockerode its buildkit session's gRPC and protobufjs), while a no-op `up`, `status` or a
 * checklist only read: version, info, lists, inspects. Those go over one HTTP GET each here; anything
 * else (create, start, logs, build, pull, ...) is forwarded to a dockerode instance created on first
 * use. Endpoints other than a unix socket or plain tcp (TLS, ssh, Windows named pipes,
 * DOCKER_PATH_PREFIX, DOCKER_CLIENT_TIMEOUT) use dockerode for everything.
 */
import { accessSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'node:querystring';
import type Docker from 'dockerode';

/** Where the engine listens, when plain node:http can reach it. */
export type EngineEndpoint = { socketPath: string } | { host: string; port: number };

/** The endpoint docker-modem would use, or undefined when it needs more than plain HTTP. */
export function plainEndpoint(
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): EngineEndpoint | undefined {
  if (process.platform === 'win32' || env.DOCKER_PATH_PREFIX || env.DOCKER_CLIENT_TIMEOUT) return undefined;
  const dockerHost = env.DOCKER_HOST;
  if (!dockerHost || dockerHost === 'unix://') return { socketPath: defaultSocket(home) };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  let url: URL;
  try {
    url = new URL(dockerHost.includes('//') ? dockerHost : `tcp://${dockerHost}`);
  } catch {
    return undefined; // dockerode reports the malformed DOCKER_HOST
  }
  if (url.protocol !== 'tcp:' || env.DOCKER_TLS_VERIFY === '1' || url.port === '2376' || !url.port) {
    return undefined;
  }
  return { host: url.hostname, port: Number(url.port) };
}

/** docker-modem's default: Docker Desktop's per-user socket when it is there, else the system one. */
function defaultSocket(home: string): string {
  const user = path.join(home, '.docker', 'run', 'docker.sock');
  try {
    accessSync(user);
    return user;
  } catch {
    return '/var/run/docker.sock';
  }
}

/** An engine error shaped like docker-modem's (callers look at `statusCode`). */
export class EngineHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    readonly json: unknown,
  ) {
    const msg = (json as { message?: string } | null)?.message ?? JSON.stringify(json);
    super(`(HTTP code ${statusCode}) ${reason} - ${msg} `);
    this.name = 'EngineHttpError';
  }
}

const REASONS: Record<number, string> = { 400: 'bad parameter', 404: 'no such object', 500: 'server error' };

/** One GET against the engine; the body parsed as JSON. Connection errors keep their errno `code`. */
export function engineGet<T>(
  endpoint: EngineEndpoint,
  apiPath: string,
  query?: Record<string, unknown>,
): Promise<T> {
  // like docker-modem: object values (filters) travel as JSON
  const params = Object.fromEntries(
    Object.entries(query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v]),
  ) as Record<string, string>;
  const qs = stringify(params);
  return new Promise<T>((resolve, reject) => {
    const req = http.request(
      {
        ...endpoint,
        method: 'GET',
        path: qs ? `${apiPath}?${qs}` : apiPath,
        headers: { accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            // a proxy's HTML error page: keep the text for the message
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(json as T);
          else reject(new EngineHttpError(status, REASONS[status] ?? 'unexpected', json));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const requireCjs = createRequire(import.meta.url);

/**
 * A dockerode-shaped client: the read-only calls aisuite makes go over `engineGet`, everything else
 * to a real dockerode created on first use.
 */
export function lazyDocker(endpoint: EngineEndpoint, load: () => Docker = loadDockerode): Docker {
  let real: Docker | undefined;
  const dockerode = (): Docker => (real ??= load());
  const get = <T>(p: string, q?: Record<string, unknown>) => engineGet<T>(endpoint, p, q);
  const enc = encodeURIComponent;
  /** `docker.getX(id)`: `inspect()` over HTTP, any other member from dockerode's object. */
  const handle = (
    kind: 'getContainer' | 'getImage' | 'getNetwork' | 'getVolume',
    inspectPath: (id: string) => string,
  ) =>
    function (id: string) {
      let target: Record<string | symbol, unknown> | undefined;
      const realObject = (): Record<string | symbol, unknown> => {
        if (!target) {
          const d = dockerode();
          target = (d[kind] as unknown as (id: string) => Record<string | symbol, unknown>).call(d, id);
        }
        return target;
      };
      return new Proxy(
        {},
        {
          get(_t, prop) {
            if (prop === 'id' || prop === 'name') return id;
            if (prop === 'then') return undefined;
            if (prop === 'inspect') return () => get(inspectPath(enc(id)));
            const value = realObject()[prop];
            return typeof value === 'function' ? value.bind(realObject()) : value;
          },
        },
      );
    };
  const reads: Record<string, unknown> = {
    version: () => get('/version'),
    info: () => get('/info'),
    ping: () => get('/_ping'),
    listContainers: (opts?: Record<string, unknown>) => get('/containers/json', opts),
    listImages: (opts?: Record<string, unknown>) => get('/images/json', opts),
    listNetworks: (opts?: Record<string, unknown>) => get('/networks', opts),
    listVolumes: (opts?: Record<string, unknown>) => get('/volumes', opts),
    getContainer: handle('getContainer', (id) => `/containers/${id}/json`),
    getImage: handle('getImage', (ref) => `/images/${ref}/json`),
    getNetwork: handle('getNetwork', (id) => `/networks/${id}`),
    getVolume: handle('getVolume', (name) => `/volumes/${name}`),
  };
  return new Proxy({} as Docker, {
    get(_t, prop) {
      if (typeof prop === 'string' && Object.hasOwn(reads, prop)) return reads[prop];
      if (prop === 'then') return undefined; // not a thenable: `await client` must not load dockerode
      const d = dockerode() as unknown as Record<string | symbol, unknown>;
      const value = d[prop];
      return typeof value === 'function' ? value.bind(d) : value;
    },
  });
}

function loadDockerode(): Docker {
  const Dockerode = requireCjs('dockerode') as typeof Docker;
  // docker-modem reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself
  return new Dockerode();
}

/** The client for this environment: lazy over plain HTTP when it can be, else dockerode. */
export function dockerFor(env: NodeJS.ProcessEnv = process.env): Docker {
  const endpoint = plainEndpoint(env);
  return endpoint ? lazyDocker(endpoint) : loadDockerode();
}
