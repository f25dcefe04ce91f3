import { Args, Flags } from '../lib/oclif.js';
import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { projectFlags } from '../lib/cli/suite-flags.js';
import { lockFlags } from '../lib/lock/flags.js';
import type { RollbackResult } from '../lib/releases/rollback.js';

export default class Rollback extends BaseCommand<typeof Rollback> {
  static override summary = 'Return the suite to a recorded release (images and configs; never data)';
  static override description =
    prose(`Checks before touching anything that the release exists, that its record is intact and that
every image it needs is on the engine; then re-applies its rendered files and images through the normal
plan/apply (only what differs is recreated; services the release does not have are removed, their volumes
kept), waits, runs the post-deploy checklist and records the result. If the rolled-back suite fails, the
release it started from is restored (--no-auto-revert to stay). Volumes and databases are never touched:
a release whose data-owning services ran another version is named in a warning.

Without TAG: the last good release before the current one.`);
  static override examples = [
    '<%= config.bin %> rollback',
    '<%= config.bin %> rollback 0.1.0-3f9a2c1d',
    '<%= config.bin %> rollback 0.1.0-3f9a2c1d --project staging --no-auto-revert --json',
  ];
  static override args = {
    tag: Args.string({ description: 'release to return to (see `aisuite releases`)', required: false }),
  };
  static override flags = {
    ...projectFlags,
    ...lockFlags,
    'auto-revert': Flags.boolean({
      description: 'restore the release we started from when the target fails its checks',
      allowNo: true,
      default: true,
      env: 'AISUITE_AUTO_REVERT',
    }),
    'post-deploy-checks': Flags.boolean({
      description: 'run the post-deploy checklist after applying the release',
      allowNo: true,
      default: true,
      env: 'AISUITE_POST_DEPLOY_CHECKS',
    }),
    'wait-timeout': Flags.integer({
      description: 'seconds to wait for each service to be ready (overrides the per-service budgets)',
      min: 1,
      env: 'AISUITE_WAIT_TIMEOUT',
    }),
  };

  async run(): Promise<RollbackResult> {
    const [{ resolveProject }, { rollback }, { withLock, auditedLockOptions }, { chooseRenderer }] =
      await Promise.all([
        import('../lib/releases/project.js'),
        import('../lib/releases/rollback.js'),
        import('../lib/lock/guard.js'),
        import('../lib/output.js'),
      ]);
    const project = await resolveProject(this.flags);
    const quiet = this.flags['log-level'] === 'error' || this.flags['log-level'] === 'warn';
    const result = await withLock(
      project,
      this.args.tag ? `rollback ${this.args.tag}` : 'rollback',
      auditedLockOptions(project, this.flags, {
        signal: this.signal,
        info: (m) => this.info(m),
        warn: (m) => void this.warn(m),
      }),
      () =>
        rollback({
          project,
          tag: this.args.tag,
          checklist: this.flags['post-deploy-checks'],
          autoRevert: this.flags['auto-revert'],
          signal: this.signal,
          waitTimeoutSeconds: this.flags['wait-timeout'],
          renderer: chooseRenderer({ json: this.jsonEnabled(), quiet, isTTY: process.stderr.isTTY }),
          reporter: { info: (m) => this.info(m), warn: (m) => this.warn(m) },
        }),
    );
    const changed = result.services.filter((s) => s.action !== 'keep').map((s) => `${s.name} (${s.action})`);
    this.log(`Project ${project} is on release ${result.to} (was ${result.from ?? 'unrecorded'}).`);
    this.log(`Changed: ${changed.length > 0 ? changed.join(', ') : 'nothing'}; volumes and data untouched.`);
    this.log(`Post-deploy checklist: ${result.checklist.status}.`);
    return result;
  }
}
