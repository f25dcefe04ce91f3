import Docker from 'dockerode';

export type DockerObjects = { containers: string[]; networks: string[]; volumes: string[] };

/** The label aisuite puts on everything it creates for a project. */
export const PROJECT_LABEL = 'io.aisuite.project';

/** Containers (any state), networks and volumes carrying `label` (or `label=value`). */
export async function listByLabel(
  label: string,
  value?: string,
  docker = new Docker(),
): Promise<DockerObjects> {
  const filter = value === undefined ? label : `${label}=${value}`;
  const filters = JSON.stringify({ label: [filter] });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers: containers.map((c) => `${c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)} (${c.State})`),
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
  };
}

/** What is left of an aisuite project: containers, networks and volumes labelled `io.aisuite.project=<name>`. */
export function listProjectObjects(project: string, docker?: Docker): Promise<DockerObjects> {
  return listByLabel(PROJECT_LABEL, project, docker);
}

export function isEmpty(objects: DockerObjects): boolean {
  return objects.containers.length + objects.networks.length + objects.volumes.length === 0;
}

/** Throws, naming each one, if any container, network or volume of the project is left. */
export async function assertNoLeftovers(
  project: string,
  opts: { ignoreVolumes?: boolean; docker?: Docker } = {},
): Promise<void> {
  const left = await listProjectObjects(project, opts.docker);
  if (opts.ignoreVolumes) left.volumes = [];
  if (!isEmpty(left)) {
    throw new Error(`project ${project} left Docker objects behind: ${JSON.stringify(left)}`);
  }
}

/**
 * Force-removes everything labelled `label` (or `label=value`): containers first (with their
 * anonymous volumes), then networks, then volumes. For afterAll hooks, so a failed test does not leave
 * objects behind for the next one; returns what it removed.
 */
export async function removeByLabel(
  label: string,
  value?: string,
  docker = new Docker(),
): Promise<DockerObjects> {
  const filter = value === undefined ? label : `${label}=${value}`;
  const filters = JSON.stringify({ label: [filter] });
  const removed: DockerObjects = { containers: [], networks: [], volumes: [] };
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(c.Id).remove({ force: true, v: true });
    removed.containers.push(c.Names[0]?.replace(/^\//, '') ?? c.Id);
  }
  for (const n of await docker.listNetworks({ filters })) {
    await docker.getNetwork(n.Id).remove();
    removed.networks.push(n.Name);
  }
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    await docker.getVolume(v.Name).remove();
    removed.volumes.push(v.Name);
  }
  return removed;
}

/** removeByLabel for an aisuite project (`io.aisuite.project=<name>`). */
export function removeProjectObjects(project: string, docker?: Docker): Promise<DockerObjects> {
  return removeByLabel(PROJECT_LABEL, project, docker);
}
