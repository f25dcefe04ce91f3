import type Docker from 'dockerode';
import { ContainerClient } from './containers.js';
import { createDocker } from './engine.js';
import { NetworkClient } from './networks.js';
import { VolumeClient } from './volumes.js';
import { LABELS } from '../suite/labels.js';

export interface TeardownResult {
  readonly project: string;
  readonly containers: readonly { name: string; service?: string }[];
  readonly networks: readonly string[];
  /** Volumes removed (only with `volumes: true`). */
  readonly volumes: readonly string[];
  /** Volumes left in place (without `volumes: true`). */
  readonly keptVolumes: readonly string[];
}

/**
 * Remove everything of a project, found by label: containers (stopped gracefully, concurrently), then
 * its networks, and its volumes only when asked.
 */
export async function teardown(
  project: string,
  options: { volumes?: boolean; docker?: Docker; stopTimeoutSeconds?: number } = {},
): Promise<TeardownResult> {
  const docker = options.docker ?? createDocker();
  const containers = new ContainerClient(docker);
  const networks = new NetworkClient(docker);
  const volumes = new VolumeClient(docker);
  const found = await containers.listByProject(project);
  await Promise.all(found.map((c) => containers.stopAndRemove(c.Id, options.stopTimeoutSeconds ?? 10)));
  const nets = await networks.listByProject(project);
  for (const n of nets) await networks.remove(n.Id);
  const vols = await volumes.listByProject(project);
  if (options.volumes) for (const v of vols) await volumes.remove(v.Name);
  return {
    project,
    containers: found.map((c) => ({
      name: c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12),
      service: c.Labels?.[LABELS.service],
    })),
    networks: nets.map((n) => n.Name),
    volumes: options.volumes ? vols.map((v) => v.Name) : [],
    keptVolumes: options.volumes ? [] : vols.map((v) => v.Name),
  };
}
