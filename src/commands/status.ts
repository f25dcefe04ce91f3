import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { projectFlags } from '../lib/cli/suite-flags.js';
import path from 'node:path';
import type { AisuiteConfig } from '../lib/config/schema.js';
import type { ServiceState } from '../lib/docker/status.js';
import type { ReleaseChecklist, ReleaseRecord } from '../lib/releases/types.js';

export interface StatusResult {
  readonly project: string;
  readonly services: readonly ServiceState[];
  /** The project's current release (the good one deployed last), when one is recorded. */
  readonly release?: string;
  /** When and by what that release was last deployed, and what its last checklist run said. */
  readonly releaseDetail?: {
    readonly deployedAt: string;
    readonly deployedBy: string;
    readonly command: string;
    readonly checklist: ReleaseChecklist;
  };
  /** Services of that release with no container on this engine (removed by hand, or after `down`). */
  readonly missing: readonly string[];
}

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show the state of every service of the suite';
  static override description =
    prose(`One row per container of the project (found by label): service, state, health, published
ports, image and uptime. Below it: the current release, when and how it was deployed, and what its last
checklist run said (or, with containers but no release in this state directory, the state they were
deployed with); services of that release that have no container (also in --json's \`missing\`):
\`aisuite up\` brings them back.`);
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
    const releaseDetail = current && detailOf(current);
    if (current && releaseDetail) this.log(`\n${describeRelease(current.tag, releaseDetail)}`);
    if (!current && services.length > 0) this.log(`\n${await noReleaseNote(project, services, config)}`);
    if (current && missing.length > 0) {
      const which = missing.length === current.suite.services.length ? 'any service' : missing.join(', ');
      this.log(`No container for ${which} of release ${current.tag}: \`aisuite up\` brings it back.`);
    }
    return { project, services, release: current?.tag, ...(releaseDetail ? { releaseDetail } : {}), missing };
  }
}

function detailOf(record: ReleaseRecord): NonNullable<StatusResult['releaseDetail']> {
  const last = record.deployments.at(-1);
  return {
    deployedAt: record.deployedAt,
    deployedBy: `${last?.user ?? record.user}@${last?.host ?? record.host}`,
    command: last?.command ?? 'up',
    checklist: record.checklist,
  };
}

/** One line: which release runs, since when, and whether its checklist passed (the first question in an incident). */
export function describeRelease(tag: string, detail: NonNullable<StatusResult['releaseDetail']>): string {
  const { checklist } = detail;
  const checked =
    checklist.status === 'not-run'
      ? 'no checklist run recorded (`aisuite checklist` records one)'
      : `checklist ${checklist.status}${checklist.checkedAt ? ` at ${checklist.checkedAt}` : ''}` +
        (checklist.status === 'failed' && checklist.failedCritical?.length
          ? ` (${checklist.failedCritical.join(', ')})`
          : '');
  return `Release ${tag}, deployed ${detail.deployedAt} by ${detail.deployedBy} (${detail.command}); ${checked}.`;
}

/**
 * Containers but no release in this state directory: most often the suite was deployed from another one
 * (\`sudo aisuite up\`, then \`aisuite status\` as yourself); its containers' secrets-file label says which.
 */
async function noReleaseNote(
  project: string,
  services: readonly ServiceState[],
  config: AisuiteConfig,
): Promise<string> {
  const [{ releasesDir }, { hintFor }, { secretsFilePath }] = await Promise.all([
    import('../lib/releases/store.js'),
    import('../lib/docker/secrets-origin.js'),
    import('../lib/secrets/locate.js'),
  ]);
  const ours = path.resolve(secretsFilePath({ project }, config));
  const elsewhere = [...new Set(services.map((s) => s.secretsFile).filter((f): f is string => !!f))].filter(
    (f) => path.resolve(f) !== ours,
  );
  return (
    `No release of project ${project} is recorded in ${releasesDir(project)}` +
    (elsewhere.length > 0
      ? `: its containers were deployed with another state (${elsewhere.map((f) => hintFor(f, project)).join('; ')}).`
      : '.')
  );
}
