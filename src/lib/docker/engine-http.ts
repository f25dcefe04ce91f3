/**
 * The Docker engine calls of `up`, `down`, `status` and `logs` over plain node:http, and a
 * dockerode-shaped client that uses them, loading dockerode itself only when another call needs it.
 *
 * Why: loading dockerode costs ~0.17-0.2 s of every command on a small host (docker-modem pulls in
 * ssh2, dockerode its buildkit session's gRPC and protobufjs), while `up`, `down`, `status` or a
 * checklist make only plain JSON calls: version, info, lists, inspects, create/start/stop/remove of
 * containers, networks and volumes, and `logs` reads a container's log stream. Those are one HTTP
 * request each here; anything else (build, pull, image tag/remove, ...) is forwarded to a dockerode
 * instance created on first use. Endpoints other than a unix socket or plain tcp (TLS, client
 * certificates, ssh, Windows named pipes, DOCKER_PATH_PREFIX, DOCKER_CLIENT_TIMEOUT) use dockerode for
 * everything.
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
  // docker-modem speaks https for these (port 2376, DOCKER_TLS_VERIFY, or a certificate directory)
  const tls = env.DOCKER_TLS_VERIFY === '1' || url.port === '2376' || Boolean(env.DOCKER_CERT_PATH);
  if (url.protocol !== 'tcp:' || tls || !url.port) return undefined;
  return { host: url.hostname, port: Number(url.port) };
}

/** docker-modem's default: Docker Desktop's per-user socket when it is there, else the system one. */
export function defaultSocket(home: string = os.homedir()): string {
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

const REASONS: Record<number, string> = {
  304: 'not modified (already in that state)',
  400: 'bad parameter',
  404: 'no such object',
  409: 'conflict',
  500: 'server error',
};

/** Query values like docker-modem's: objects (filters) travel as JSON, undefined ones are left out. */
function queryString(query?: Record<string, unknown>): string {
  const params = Object.fromEntries(
    Object.entries(query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v]),
  ) as Record<string, string>;
  return stringify(params);
}

/**
 * One call to the engine: the answer's body parsed as JSON (null when empty). A status outside 2xx
 * (304 "already started" included, as with docker-modem) rejects with an EngineHttpError;
 * connection errors keep their errno `code`.
 */
export async function engineRequest<T>(
  endpoint: EngineEndpoint,
  method: 'GET' | 'POST' | 'DELETE',
  apiPath: string,
  query?: Record<string, unknown>,
  body?: unknown,
): Promise<T> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const res = await send(endpoint, method, apiPath, query, payload);
  const json = parseBody(await readAll(res));
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return json as T;
  throw new EngineHttpError(status, REASONS[status] ?? 'unexpected', json);
}

/**
 * A GET whose answer is a raw stream (container logs): the response itself when 2xx, for the caller to
 * read (and to destroy, to stop following); otherwise rejects as `engineRequest` does.
 */
export async function engineStream(
  endpoint: EngineEndpoint,
  apiPath: string,
  query?: Record<string, unknown>,
): Promise<http.IncomingMessage> {
  const res = await send(endpoint, 'GET', apiPath, query);
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return res;
  throw new EngineHttpError(status, REASONS[status] ?? 'unexpected', parseBody(await readAll(res)));
}

function send(
  endpoint: EngineEndpoint,
  method: 'GET' | 'POST' | 'DELETE',
  apiPath: string,
  query?: Record<string, unknown>,
  payload?: Buffer,
): Promise<http.IncomingMessage> {
  const qs = queryString(query);
  // node:http works out a TLS server name for every request, even plain HTTP: for the socket's Host
  // (localhost) that compiles node's IPv6 address regex, ~7 ms of the first call. '' skips it.
  const options: http.RequestOptions & { servername: string } = {
    ...endpoint,
    servername: '',
    method,
    path: qs ? `${apiPath}?${qs}` : apiPath,
    headers: {
      accept: 'application/json',
      ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
    },
  };
  return new Promise((resolve, reject) => {
    const req = http.request(options, resolve);
    req.on('error', reject);
    req.end(payload);
  });
}

async function readAll(res: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text; // a proxy's HTML error page: keep the text for the message
  }
}

const requireCjs = createRequire(import.meta.url);

/**
 * A dockerode-shaped client: the plain JSON calls aisuite makes go over `engineRequest`, everything
 * else to a real dockerode created on first use.
 */
export function lazyDocker(endpoint: EngineEndpoint, load: () => Docker = loadDockerode): Docker {
  let real: Docker | undefined;
  const dockerode = (): Docker => (real ??= load());
  const call = <T>(method: 'GET' | 'POST' | 'DELETE', p: string, q?: Record<string, unknown>, b?: unknown) =>
    engineRequest<T>(endpoint, method, p, q, b);
  const enc = encodeURIComponent;
  type Kind = 'getContainer' | 'getImage' | 'getNetwork' | 'getVolume';
  /** `docker.getX(id)`: the calls in `own` over HTTP, any other member from dockerode's object. */
  const handle =
    (kind: Kind, own: (id: string) => Record<string, (opts?: Record<string, unknown>) => Promise<unknown>>) =>
    (id: string) => {
      let target: Record<string | symbol, unknown> | undefined;
      const realObject = (): Record<string | symbol, unknown> => {
        if (!target) {
          const d = dockerode();
          target = (d[kind] as unknown as (id: string) => Record<string | symbol, unknown>).call(d, id);
        }
        return target;
      };
      const methods = own(enc(id));
      return new Proxy(
        {},
        {
          get(_t, prop) {
            if (prop === 'id' || prop === 'name') return id;
            if (prop === 'then') return undefined;
            if (typeof prop === 'string' && Object.hasOwn(methods, prop)) return methods[prop];
            const value = realObject()[prop];
            return typeof value === 'function' ? value.bind(realObject()) : value;
          },
        },
      );
    };
  const getContainer = handle('getContainer', (id) => ({
    inspect: () => call('GET', `/containers/${id}/json`),
    start: () => call('POST', `/containers/${id}/start`),
    stop: (opts) => call('POST', `/containers/${id}/stop`, opts),
    remove: (opts) => call('DELETE', `/containers/${id}`, opts),
    // like dockerode: the stream while following, else the whole (multiplexed) output as one Buffer
    logs: async (opts) => {
      const res = await engineStream(endpoint, `/containers/${id}/logs`, opts);
      return opts?.follow ? res : readAll(res);
    },
  }));
  const getNetwork = handle('getNetwork', (id) => ({
    inspect: () => call('GET', `/networks/${id}`),
    remove: () => call('DELETE', `/networks/${id}`),
  }));
  const getVolume = handle('getVolume', (name) => ({
    inspect: () => call('GET', `/volumes/${name}`),
    remove: (opts) => call('DELETE', `/volumes/${name}`, opts),
  }));
  const own: Record<string, unknown> = {
    version: () => call('GET', '/version'),
    info: () => call('GET', '/info'),
    ping: () => call('GET', '/_ping'),
    listContainers: (opts?: Record<string, unknown>) => call('GET', '/containers/json', opts),
    listImages: (opts?: Record<string, unknown>) => call('GET', '/images/json', opts),
    listNetworks: (opts?: Record<string, unknown>) => call('GET', '/networks', opts),
    listVolumes: (opts?: Record<string, unknown>) => call('GET', '/volumes', opts),
    // like dockerode: the name in the query, the options as the body; resolves to the new object
    createContainer: async (opts: Record<string, unknown>) =>
      getContainer((await call<{ Id: string }>('POST', '/containers/create', { name: opts.name }, opts)).Id),
    createNetwork: async (opts: Record<string, unknown>) =>
      getNetwork((await call<{ Id: string }>('POST', '/networks/create', undefined, opts)).Id),
    createVolume: async (opts: Record<string, unknown>) =>
      getVolume((await call<{ Name: string }>('POST', '/volumes/create', undefined, opts)).Name),
    getContainer,
    getImage: handle('getImage', (ref) => ({ inspect: () => call('GET', `/images/${ref}/json`) })),
    getNetwork,
    getVolume,
  };
  return new Proxy({} as Docker, {
    get(_t, prop) {
      if (typeof prop === 'string' && Object.hasOwn(own, prop)) return own[prop];
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
