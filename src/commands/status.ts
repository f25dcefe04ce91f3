import { BaseCommand } from '../base-command.js';
import { configFlags } from '../lib/cli/suite-flags.js';
import type { ServiceState } from '../lib/docker/status.js';

export interface StatusResult {
  readonly project: string;
  readonly services: readonly ServiceState[];
}

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show the state of every service of the suite';
  static override description = `One row per container of the project (found by label): service, state, health, published
ports, image and uptime.`;
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --project ci-1234 --json',
  ];
  static override flags = { ...configFlags };

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
    const services = await listSuiteContainers(new ContainerClient(docker), project);
    if (services.length === 0) this.log(`No container of project ${project} on this engine.`);
    else this.log(formatStatus(services));
    return { project, services };
  }
}
