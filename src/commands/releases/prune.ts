import { Flags } from '../../lib/oclif.js';
import { BaseCommand } from '../../base-command.js';
import { prose } from '../../lib/cli/prose.js';
import { projectFlags } from '../../lib/cli/suite-flags.js';
import { lockFlags } from '../../lib/lock/flags.js';
import type { PruneResult } from '../../lib/releases/prune.js';

export default class ReleasesPrune extends BaseCommand<typeof ReleasesPrune> {
  static override summary = 'Remove the oldest release records and the images only they refer to';
  static override description =
    prose(`Keeps the --keep most recently deployed releases (and always the current one) and deletes
the older records. An image is removed only when no kept release refers to it and no container uses it.
Volumes and data are never touched. Refuses to act while any release record is damaged.`);
  static override examples = [
    '<%= config.bin %> releases prune --keep 5',
    '<%= config.bin %> releases prune --keep 3 --dry-run --json',
  ];
  static override flags = {
    ...projectFlags,
    ...lockFlags,
    keep: Flags.integer({
      description: 'how many releases to keep (newest deployments first; the current one is always kept)',
      required: true,
      min: 1,
      env: 'AISUITE_RELEASES_KEEP',
    }),
    'dry-run': Flags.boolean({ description: 'say what would be removed; change nothing', default: false }),
  };

  async run(): Promise<PruneResult & { project: string }> {
    const [
      { resolveProject },
      { pruneReleases, dockerImageOps },
      { withLock, auditedLockOptions },
      { appendAudit },
      { createDocker },
    ] = await Promise.all([
      import('../../lib/releases/project.js'),
      import('../../lib/releases/prune.js'),
      import('../../lib/lock/guard.js'),
      import('../../lib/audit/audit.js'),
      import('../../lib/docker/engine.js'),
    ]);
    const project = await resolveProject(this.flags);
    const result = await withLock(
      project,
      'releases prune',
      auditedLockOptions(project, this.flags, {
        signal: this.signal,
        info: (m) => this.info(m),
        warn: (m) => void this.warn(m),
      }),
      async () => {
        const pruned = await pruneReleases(project, this.flags.keep, {
          images: dockerImageOps(createDocker()),
          dryRun: this.flags['dry-run'],
        });
        if (!pruned.dryRun && pruned.removed.length > 0) {
          await appendAudit(project, {
            action: 'releases-prune',
            result: 'ok',
            message: `removed ${pruned.removed.length} release(s)`,
            details: {
              removed: pruned.removed,
              images: pruned.images.filter((i) => i.outcome === 'removed').map((i) => i.ref),
            },
          });
        }
        return pruned;
      },
    );
    const verb = result.dryRun ? 'would remove' : 'removed';
    this.log(`kept: ${result.kept.join(', ') || 'none'}`);
    this.log(`${verb}: ${result.removed.join(', ') || 'none'}`);
    for (const image of result.images) {
      this.log(
        `  image ${image.ref} (${image.id.slice(7, 19)}): ${image.outcome}${image.reason ? ` (${image.reason})` : ''}`,
      );
    }
    return { project, ...result };
  }
}
