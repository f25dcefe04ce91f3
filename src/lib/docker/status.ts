import type Docker from 'dockerode';
import { compareStrings } from '../compare.js';
import { LABELS } from '../suite/labels.js';
import type { ContainerClient } from './containers.js';

/** What `status` shows for one service. */
export interface ServiceState {
  readonly name: string;
  readonly containerId?: string;
  readonly containerName?: string;
  /** Docker state: running, exited, created, restarting... (or `missing`, `planned`). */
  readonly state: string;
  /** Health check status (healthy, unhealthy, starting); undefined without a health check or when not running. */
  readonly health?: string;
  /** Published ports as `HOST_IP:HOST_PORT->CONTAINER_PORT/tcp`. */
  readonly ports: readonly string[];
  readonly image: string;
  readonly configHash?: string;
  readonly release?: string;
  /** The secrets file it was deployed with (a path label, never a value). */
  readonly secretsFile?: string;
  /** Seconds since the container started (running containers only). */
  readonly uptimeSeconds?: number;
  readonly exitCode?: number;
}

function formatPorts(info: Docker.ContainerInfo): string[] {
  const seen = new Set<string>();
  for (const p of info.Ports ?? []) {
    if (!p.PublicPort) continue;
    // Docker lists IPv4 and IPv6 bindings separately; one line per port is enough
    seen.add(`${p.IP && p.IP !== '::' ? p.IP : '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`);
  }
  return [...seen].sort();
}

/** The state of one labelled container, with health and uptime from inspect. */
export async function describeContainer(
  containers: ContainerClient,
  info: Docker.ContainerInfo,
  now = Date.now(),
): Promise<ServiceState> {
  let health: string | undefined;
  let uptimeSeconds: number | undefined;
  let exitCode: number | undefined;
  try {
    const full = await containers.inspect(info.Id);
    // no health check runs in a stopped container: Docker then reports `unhealthy` (it sets that when
    // it stops the check), which is no finding of the check itself
    health = full.State.Running ? full.State.Health?.Status : undefined;
    if (full.State.Running) {
      uptimeSeconds = Math.max(0, Math.round((now - Date.parse(full.State.StartedAt)) / 1000));
    } else {
      exitCode = full.State.ExitCode;
    }
  } catch {
    // removed between list and inspect: report what the list said
  }
  return {
    name: info.Labels?.[LABELS.service] ?? info.Names?.[0]?.replace(/^\//, '') ?? info.Id.slice(0, 12),
    containerId: info.Id,
    containerName: info.Names?.[0]?.replace(/^\//, ''),
    state: info.State,
    health,
    ports: formatPorts(info),
    image: info.Image,
    configHash: info.Labels?.[LABELS.configHash],
    release: info.Labels?.[LABELS.release],
    secretsFile: info.Labels?.[LABELS.secretsFile],
    uptimeSeconds,
    exitCode,
  };
}

/** Every container of the project (by label) with its state, sorted by service name. */
export async function listSuiteContainers(
  containers: ContainerClient,
  project: string,
): Promise<ServiceState[]> {
  const list = await containers.listByProject(project);
  const states = await Promise.all(list.map((c) => describeContainer(containers, c)));
  return states.sort((a, b) => compareStrings(a.name, b.name));
}

/** "3h 12m", "45s": uptime for the table. */
export function formatUptime(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}
