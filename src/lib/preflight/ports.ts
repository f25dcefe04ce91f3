import net from 'node:net';
import type Docker from 'dockerode';
import { LABELS } from '../suite/labels.js';
import type { SuiteSpec } from '../suite/types.js';
import { findPortHolder } from './port-holder.js';
import type { PreflightCheck } from './types.js';

/** Try to listen on the address and port; resolves to the error code when that fails. */
export function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Host ports the project's own containers publish (they are freed or kept by the plan, not conflicts). */
export function ownPorts(containers: readonly Docker.ContainerInfo[]): Set<number> {
  const ports = new Set<number>();
  for (const c of containers) for (const p of c.Ports ?? []) if (p.PublicPort) ports.add(p.PublicPort);
  return ports;
}

/** The container among `containers` that publishes host `port`. */
export function publisherOf<C extends Pick<Docker.ContainerInfo, 'Ports'>>(
  containers: readonly C[],
  port: number,
): C | undefined {
  return containers.find((c) => (c.Ports ?? []).some((p) => p.PublicPort === port));
}

async function dockerHolder(docker: Docker | undefined, port: number): Promise<string | undefined> {
  if (!docker) return undefined;
  try {
    const running = await docker.listContainers();
    const holder = publisherOf(running, port);
    if (!holder) return undefined;
    const project = holder.Labels?.[LABELS.project];
    const name = holder.Names?.[0]?.replace(/^\//, '') ?? holder.Id.slice(0, 12);
    return `container ${name}${project ? ` (aisuite project "${project}")` : ''}`;
  } catch {
    return undefined;
  }
}

/** Every published host port of the suite must be free, except those the project itself holds. */
export async function checkPorts(
  suite: SuiteSpec,
  options: { docker?: Docker; own?: ReadonlySet<number> } = {},
): Promise<PreflightCheck> {
  const taken: { port: number; service: string; holder?: string; code: string }[] = [];
  const checked: number[] = [];
  for (const svc of suite.services) {
    for (const p of svc.ports) {
      if (p.host === undefined || options.own?.has(p.host)) continue;
      checked.push(p.host);
      const code = await tryListen(suite.bindAddress, p.host);
      if (code === undefined) continue;
      const holder =
        code === 'EADDRINUSE'
          ? ((await dockerHolder(options.docker, p.host)) ?? (await findPortHolder(p.host)))
          : undefined;
      taken.push({ port: p.host, service: svc.name, holder, code });
    }
  }
  if (taken.length === 0) {
    return { id: 'ports', ok: true, message: `host ports free: ${checked.join(', ') || 'none published'}` };
  }
  const describe = (t: (typeof taken)[number]) =>
    t.code === 'EADDRINUSE'
      ? `${suite.bindAddress}:${t.port} (${t.service}) is in use${t.holder ? ` by ${t.holder}` : ''}`
      : `${suite.bindAddress}:${t.port} (${t.service}) cannot be bound: ${t.code}`;
  return {
    id: 'ports',
    ok: false,
    message: `host port${taken.length > 1 ? 's' : ''} not free: ${taken.map(describe).join('; ')}`,
    hint: 'Stop what holds the port, or give the service another one with `ports:` in aisuite.yaml.',
    details: { ports: taken },
  };
}
