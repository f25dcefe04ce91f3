import { Flags } from '../../lib/oclif.js';
import { BaseCommand } from '../../base-command.js';
import { prose } from '../../lib/cli/prose.js';
import { projectFlags } from '../../lib/cli/suite-flags.js';
import type { ReleaseSummary } from '../../lib/releases/current.js';

/** `aisuite releases --json`, schema `aisuite.releases/v1` (docs/RELEASES.md). */
export interface ReleasesResult {
  readonly schema: 'aisuite.releases/v1';
  readonly project: string;
  readonly current: string | null;
  /** Each release as its summary (fields in docs/RELEASES.md), and whether it is the current one. */
  readonly releases: readonly (ReleaseSummary & { readonly current: boolean })[];
  /** Damaged record files: reported, never used. */
  readonly corrupt: readonly { file: string; tag: string; reason: string }[];
  /** With --audit: the newest audit log entries, oldest first. */
  readonly audit?: readonly Record<string, unknown>[];
  readonly auditInvalidLines?: readonly number[];
}

export default class Releases extends BaseCommand<typeof Releases> {
  static override summary =
    'List the recorded releases of a project (newest first) and, with --audit, its audit log';
  static override description =
    prose(`Every successful \`aisuite up\` records a release: its tag, rendered files, image ids and
digests, an environment hash (no secrets), options, the post-deploy checklist result, time and user. The good
release deployed last is marked current; \`aisuite rollback\` returns to another one. A damaged record file is
reported here and never used.`);
  static override examples = [
    '<%= config.bin %> releases',
    '<%= config.bin %> releases --project staging --json',
    '<%= config.bin %> releases --audit --limit 50',
  ];
  static override flags = {
    ...projectFlags,
    audit: Flags.boolean({ description: 'also print the audit log (one line per change)', default: false }),
    limit: Flags.integer({ description: 'newest audit entries to show', default: 20, min: 1 }),
  };

  async run(): Promise<ReleasesResult> {
    const [{ resolveProject }, { chooseCurrent, listSummaries }, { readAudit }] = await Promise.all([
      import('../../lib/releases/project.js'),
      import('../../lib/releases/current.js'),
      import('../../lib/audit/audit.js'),
    ]);
    const project = await resolveProject(this.flags);
    const listed = await listSummaries(project);
    const { current: chosen, corrupt } = await chooseCurrent(project, process.env, listed);
    const current = chosen?.tag ?? null;
    const result: ReleasesResult = {
      schema: 'aisuite.releases/v1',
      project,
      current,
      releases: listed.summaries.map((s) => ({ ...s, current: s.tag === current })),
      corrupt,
    };
    for (const c of corrupt) this.warn(`damaged release record ${c.file}: ${c.reason} (it will not be used)`);

    if (result.releases.length === 0) this.log(`No releases recorded for project ${project}.`);
    else {
      const rows = result.releases.map((r) => [
        r.current ? '*' : ' ',
        r.tag,
        r.status,
        r.checklist.status,
        r.deployedAt.replace(/\.\d+Z$/, 'Z'),
        `${r.user}@${r.host}`,
        `phase ${r.phase} ${r.profile}, ${r.services.length} services`,
      ]);
      const header = [' ', 'TAG', 'STATUS', 'CHECKLIST', 'DEPLOYED', 'BY', 'SUITE'];
      const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c]!.length)));
      for (const row of [header, ...rows])
        this.log(
          row
            .map((cell, c) => cell.padEnd(widths[c]!))
            .join('  ')
            .trimEnd(),
        );
    }

    if (!this.flags.audit) return result;
    const log = await readAudit(project, { limit: this.flags.limit });
    if (log.invalidLines.length > 0) {
      this.warn(`${log.file}: ${log.invalidLines.length} unreadable line(s): ${log.invalidLines.join(', ')}`);
    }
    this.log('');
    this.log(`Audit log ${log.file} (newest ${this.flags.limit}):`);
    for (const e of log.entries) {
      const what = [e.tag ? `tag ${e.tag}` : '', e.from ? `from ${e.from}` : '', e.message ?? '']
        .filter(Boolean)
        .join(', ');
      this.log(
        `${e.time}  ${e.user}@${e.host}  ${e.action.padEnd(16)} ${e.result.padEnd(6)} ${what}`.trimEnd(),
      );
    }
    return {
      ...result,
      audit: log.entries as unknown as Record<string, unknown>[],
      auditInvalidLines: log.invalidLines,
    };
  }
}
