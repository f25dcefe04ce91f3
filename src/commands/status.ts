import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { projectFlags } from '../lib/cli/suite-flags.js';
import type { ServiceState } from '../lib/docker/status.js';

export interface StatusResult {
  readonly project: string;
  readonly services: readonly ServiceState[];
  /** The project's current release (the good one deployed last), when one is recorded. */
  readonly release?: string;
  /** Services of that release with no container on this engine (removed by hand, or after `down`). */
  readonly missing: readonly string[];
}

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show the state of every service of the suite';
  static override description =
    prose(`One row per container of the project (found by label): service, state, health, published
ports, image and uptime. Services of the current release that have no container are named below the table
(and in --json's \`missing\`): \`aisuite up\` brings them back.`);
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --project ci-1234 --json',
  ];
  static override flags = { ...projectFlags };

  async run(): Promise<StatusResult> {
    const [
      { loadConfig },
      { createDocker, pingEngine },
      { ContainerClient },
      { listSuiteContainers },
      { formatStatus },
    ] = await Promise.all([
      import('../lib/config/load.js'),
      import('../lib/docker/engine.js'),
      import('../lib/docker/containers.js'),
      import('../lib/docker/status.js'),
      import('../lib/docker/format.js'),
    ]);
    const { config } = await loadConfig(this.flags.config);
    const project = this.flags.project ?? config.project ?? 'aisuite';
    const docker = createDocker();
    await pingEngine(docker);
    const [services, current] = await Promise.all([
      listSuiteContainers(new ContainerClient(docker), project),
      import('../lib/releases/current.js').then((m) => m.currentReleaseOf(project)),
    ]);
    const present = new Set(services.map((s) => s.name));
    const missing = (current?.suite.services ?? []).map((s) => s.name).filter((name) => !present.has(name));
    if (services.length === 0) this.log(`No container of project ${project} on this engine.`);
    else this.log(formatStatus(services));
    if (current && missing.length > 0) {
      const which = missing.length === current.suite.services.length ? 'any service' : missing.join(', ');
      this.log(`\nNo container for ${which} of release ${current.tag}: \`aisuite up\` brings it back.`);
    }
    return { project, services, release: current?.tag, missing };
  }
}
