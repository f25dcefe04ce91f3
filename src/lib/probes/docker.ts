import type Docker from 'dockerode';
import { compareStrings } from '../compare.js';
import { createDocker } from '../docker/engine.js';
import { LABELS } from '../suite/labels.js';
import {
  fail,
  pass,
  type DockerProbeSpec,
  type Probe,
  type ProbeContext,
  type ProbeOutcome,
} from './types.js';

export interface ContainerState {
  readonly service: string;
  readonly name: string;
  readonly status: string;
  readonly health?: string;
  readonly restarts: number;
}

/** Every container of a project (found by label), with its state, health and restart count. */
export async function projectContainers(docker: Docker, project: string): Promise<ContainerState[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.project}=${project}`] },
  });
  const states = await Promise.all(
    list.map(async (c) => {
      const info = await docker.getContainer(c.Id).inspect();
      return {
        service: c.Labels[LABELS.service] ?? info.Name.replace(/^\//, ''),
        name: info.Name.replace(/^\//, ''),
        status: info.State.Status,
        health: info.State.Health?.Status,
        restarts: info.RestartCount,
      };
    }),
  );
  return states.sort((a, b) => compareStrings(a.service, b.service));
}

/** Docker probe: the engine answers, or the project's containers run, are healthy and do not restart. */
export class DockerProbe implements Probe {
  readonly kind = 'docker';
  constructor(
    private readonly spec: DockerProbeSpec,
    private readonly docker: Docker = createDocker(),
  ) {}

  async run(_ctx: ProbeContext): Promise<ProbeOutcome> {
    const { spec } = this;
    if (spec.check === 'engine') {
      try {
        const version = await this.docker.version();
        return pass(`Docker ${version.Version} (API ${version.ApiVersion})`, { version: version.Version });
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        return fail(`Docker engine not reachable: ${e.code ?? e.message}`);
      }
    }
    let containers: ContainerState[];
    try {
      containers = await projectContainers(this.docker, spec.project);
    } catch (error) {
      return fail(`Docker engine not reachable: ${(error as Error).message}`);
    }
    const problems: string[] = [];
    const present = new Set(containers.map((c) => c.service));
    for (const service of spec.services ?? []) {
      if (!present.has(service)) problems.push(`${service}: no container`);
    }
    const maxRestarts = spec.maxRestarts ?? 0;
    for (const c of containers) {
      if (c.status !== 'running') problems.push(`${c.service}: ${c.status}`);
      else if (c.health !== undefined && c.health !== 'healthy') problems.push(`${c.service}: ${c.health}`);
      if (c.restarts > maxRestarts) problems.push(`${c.service}: restarted ${c.restarts} times`);
    }
    const observed = containers.map(({ service, status, health, restarts }) => ({
      service,
      status,
      health,
      restarts,
    }));
    if (containers.length === 0 && (spec.services?.length ?? 0) === 0) {
      return fail(`no containers with label ${LABELS.project}=${spec.project}`, observed);
    }
    if (problems.length > 0) return fail(problems.join('; '), observed);
    const n = containers.length;
    const restarts = maxRestarts === 0 ? ', none restarted' : '';
    return pass(`${n} container${n === 1 ? '' : 's'} running${restarts}`, observed);
  }
}
