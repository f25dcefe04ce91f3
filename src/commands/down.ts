import path from 'node:path';
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
  /** The project's state directory, when --purge removed it. */
  readonly purged?: string;
  /** A secrets file outside the state directory (--secrets-file or aisuite.yaml), which --purge leaves. */
  readonly keptSecretsFile?: string;
}

export default class Down extends BaseCommand<typeof Down> {
  static override summary = 'Stop and remove the suite (containers and network); volumes only with --volumes';
  static override description =
    prose(`Finds the project's containers, network and volumes by label (never by name), stops the
containers gracefully and removes them and the network. Volumes hold the suite's data (Postgres,
Prometheus, MCP's RBAC database) and are kept unless --volumes is given, which asks for confirmation on
a terminal and needs --yes otherwise.

--purge also deletes the project's state directory: the secrets file, release records, audit log and
rendered files, everything aisuite keeps of the project (a secrets file elsewhere, from --secrets-file
or aisuite.yaml, is left and named). It implies --volumes: new secrets would not open the old data.`);
  static override examples = [
    '<%= config.bin %> down',
    '<%= config.bin %> down --project ci-1234 --volumes --yes',
    '<%= config.bin %> down --project aisuite-verify-3f9c2a --purge --yes',
  ];
  static override flags = {
    ...configFlags,
    ...lockFlags,
    volumes: Flags.boolean({
      description: 'also remove the named volumes (deletes the data)',
      env: 'AISUITE_DOWN_VOLUMES',
    }),
    purge: Flags.boolean({
      description:
        "also delete the project's state directory: secrets, release records, audit log (implies --volumes)",
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
    const purge = this.flags.purge;
    const volumes = this.flags.volumes || purge;
    const docker = createDocker();
    await pingEngine(docker);
    if (volumes && !this.flags.yes) {
      const what = purge
        ? '--purge deletes the suite data and its secrets'
        : '--volumes deletes the suite data';
      if (!process.stdin.isTTY || this.jsonEnabled()) {
        throw new UserError(`${what} and needs confirmation`, {
          hint: 'Add --yes to confirm when not running on a terminal.',
          code: 'CONFIRMATION_REQUIRED',
        });
      }
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(
        purge
          ? `Remove the volumes (all data) and the state directory (secrets, releases, audit log) of project "${project}"? [y/N] `
          : `Remove the volumes (all data) of project "${project}"? [y/N] `,
      );
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        throw new UserError('not confirmed; nothing removed', { code: 'NOT_CONFIRMED' });
      }
    }
    const { lockedChange, withLock, auditedLockOptions } = await import('../lib/lock/guard.js');
    const guard = {
      flags: this.flags,
      signal: this.signal,
      info: (m: string) => this.info(m),
      warn: (m: string) => void this.warn(m),
    };
    let purged: string | undefined;
    let keptSecretsFile: string | undefined;
    let result: Awaited<ReturnType<typeof teardown>>;
    if (purge) {
      // no audit line: the audit log goes with the rest of the state
      const [{ purgeProjectState, finishPurge }, { secretsFilePath }, { projectStateDir }] =
        await Promise.all([
          import('../lib/purge.js'),
          import('../lib/secrets/locate.js'),
          import('../lib/paths.js'),
        ]);
      result = await withLock(project, 'down', auditedLockOptions(project, this.flags, guard), async () => {
        const removed = await teardown(project, { volumes: true, docker });
        purged = await purgeProjectState(project);
        return removed;
      });
      if (purged) await finishPurge(purged);
      const secrets = secretsFilePath({ ...this.flags, project }, config);
      const inside = path.relative(projectStateDir(project), secrets);
      if (inside.startsWith('..') || path.isAbsolute(inside)) keptSecretsFile = secrets;
    } else {
      result = await lockedChange(project, 'down', guard, () => teardown(project, { volumes, docker }));
    }
    if (result.containers.length === 0 && result.networks.length === 0 && result.volumes.length === 0) {
      this.log(`Nothing of project ${project} is on this engine.`);
    } else {
      this.log(
        `Removed ${result.containers.length} container(s)` +
          (result.containers.length > 0
            ? ` (${result.containers.map((c) => c.service ?? c.name).join(', ')})`
            : '') +
          `, ${result.networks.length} network(s)` +
          (volumes ? `, ${result.volumes.length} volume(s)` : '') +
          ` of project ${project}.`,
      );
    }
    if (result.keptVolumes.length > 0) {
      this.log(`Kept volume(s): ${result.keptVolumes.join(', ')} (remove them with --volumes).`);
    }
    if (purge) {
      this.log(
        purged ? `Removed the state directory ${purged}.` : `Project ${project} had no state directory.`,
      );
    }
    if (keptSecretsFile) {
      this.log(
        `Kept the secrets file ${keptSecretsFile} (not in the state directory; delete it when no longer needed).`,
      );
    }
    return { ...result, ...(purge ? { purged } : {}), ...(keptSecretsFile ? { keptSecretsFile } : {}) };
  }
}
