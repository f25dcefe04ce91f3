import { Flags } from '../lib/oclif.js';
import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { configFlags } from '../lib/cli/suite-flags.js';
import { UserError } from '../lib/errors.js';
import { lockFlags } from '../lib/lock/flags.js';

export interface DownResult {
  readonly project: string;
  readonly containers: readonly { name: string; service?: string }[];
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
  readonly keptVolumes: readonly string[];
}

export default class Down extends BaseCommand<typeof Down> {
  static override summary = 'Stop and remove the suite (containers and network); volumes only with --volumes';
  static override description =
    prose(`Finds the project's containers, network and volumes by label (never by name), stops the
containers gracefully and removes them and the network. Volumes hold the suite's data (Postgres,
Prometheus, MCP's RBAC database) and are kept unless --volumes is given, which asks for confirmation on
a terminal and needs --yes otherwise.`);
  static override examples = [
    '<%= config.bin %> down',
    '<%= config.bin %> down --project ci-1234 --volumes --yes',
  ];
  static override flags = {
    ...configFlags,
    ...lockFlags,
    volumes: Flags.boolean({
      description: 'also remove the named volumes (deletes the data)',
      env: 'AISUITE_DOWN_VOLUMES',
    }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', env: 'AISUITE_YES' }),
  };

  async run(): Promise<DownResult> {
    const [{ loadConfig }, { teardown }, { pingEngine, createDocker }] = await Promise.all([
      import('../lib/config/load.js'),
      import('../lib/docker/teardown.js'),
      import('../lib/docker/engine.js'),
    ]);
    const { config } = await loadConfig(this.flags.config);
    const project = this.flags.project ?? config.project ?? 'aisuite';
    const docker = createDocker();
    await pingEngine(docker);
    if (this.flags.volumes && !this.flags.yes) {
      if (!process.stdin.isTTY || this.jsonEnabled()) {
        throw new UserError('--volumes deletes the suite data and needs confirmation', {
          hint: 'Add --yes to confirm when not running on a terminal.',
          code: 'CONFIRMATION_REQUIRED',
        });
      }
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`Remove the volumes (all data) of project "${project}"? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        throw new UserError('not confirmed; nothing removed', { code: 'NOT_CONFIRMED' });
      }
    }
    const { lockedChange } = await import('../lib/lock/guard.js');
    const guard = {
      flags: this.flags,
      signal: this.signal,
      info: (m: string) => this.info(m),
      warn: (m: string) => void this.warn(m),
    };
    const result = await lockedChange(project, 'down', guard, () =>
      teardown(project, { volumes: this.flags.volumes, docker }),
    );
    if (result.containers.length === 0 && result.networks.length === 0 && result.volumes.length === 0) {
      this.log(`Nothing of project ${project} is on this engine.`);
    } else {
      this.log(
        `Removed ${result.containers.length} container(s)` +
          (result.containers.length > 0
            ? ` (${result.containers.map((c) => c.service ?? c.name).join(', ')})`
            : '') +
          `, ${result.networks.length} network(s)` +
          (this.flags.volumes ? `, ${result.volumes.length} volume(s)` : '') +
          ` of project ${project}.`,
      );
    }
    if (result.keptVolumes.length > 0) {
      this.log(`Kept volume(s): ${result.keptVolumes.join(', ')} (remove them with --volumes).`);
    }
    return result;
  }
}
