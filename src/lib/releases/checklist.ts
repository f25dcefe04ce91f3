import type { ChecklistReport, ReleaseRecording } from '../checklist/report.js';
import { AisuiteError } from '../errors.js';
import type { SuiteOptions } from '../suite/build.js';
import { canonicalJson } from '../suite/hash.js';
import type { SuiteSpec } from '../suite/types.js';
import { packageVersion } from '../version.js';
import type { ReleaseChecklist } from './types.js';

export interface PostDeployOptions {
  readonly signal?: AbortSignal;
  /** Deadline for the whole checklist (default 180 s). */
  readonly deadlineSeconds?: number;
  /** How long to wait for Docker health checks still `starting` before the checklist (default 120 s). */
  readonly settleSeconds?: number;
}

/**
 * `up` waits for each service's readiness endpoint, but Docker's own health check (the one the
 * containers-running check reads) may still say `starting` for an interval or two: wait for it to settle
 * so a freshly recreated container is not reported as unhealthy.
 */
async function settle(project: string, seconds: number, signal?: AbortSignal): Promise<void> {
  const { createDocker } = await import('../docker/engine.js');
  const docker = createDocker();
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline && !signal?.aborted) {
    const list = await docker.listContainers({ filters: { label: [`io.aisuite.project=${project}`] } });
    // `docker ps` status text says "(health: starting)" until the first health check has passed
    if (!list.some((c) => /health: starting/.test(c.Status ?? ''))) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Run the post-deploy checklist against a suite just applied; passed means no critical check failed. */
export async function postDeployChecklist(
  resolved: { suite: SuiteSpec; options: SuiteOptions; secretsFile: string },
  options: PostDeployOptions = {},
): Promise<ReleaseChecklist> {
  const [{ runChecklist }, { targetFromSuite }, { readSecrets }] = await Promise.all([
    import('../checklist/index.js'),
    import('../checklist/target.js'),
    import('../secrets/store.js'),
  ]);
  await settle(resolved.suite.project, options.settleSeconds ?? 120, options.signal);
  const secrets = await readSecrets(resolved.secretsFile);
  const report = await runChecklist(targetFromSuite({ resolved, secrets }), {
    stages: ['post-deploy'],
    deadlineSeconds: options.deadlineSeconds ?? 180,
    signal: options.signal,
  });
  return checklistOfReport(report);
}

/**
 * What a release records of a checklist run: passed when no critical check failed and the deadline did
 * not cut the run short (failed warnings, which only --strict turns into an exit code, do not count).
 */
export function checklistOfReport(report: ChecklistReport): ReleaseChecklist {
  const failedChecks = report.checks.filter(
    (c) => c.severity === 'critical' && (c.status === 'failed' || c.status === 'blocked'),
  );
  return {
    status: report.outcome === 'passed' || report.outcome === 'warnings' ? 'passed' : 'failed',
    checkedAt: report.startedAt,
    passed: report.summary.passed,
    failed: report.summary.failed + report.summary.blocked,
    skipped: report.summary.skipped,
    failedCritical: failedChecks.map((c) => c.id),
    failures: failedChecks.map((c) => ({ id: c.id, message: c.message })),
    exitCode: report.exitCode,
  };
}

/**
 * Record a post-deploy checklist run on the release it checked, as \`up --post-deploy-checks\` and
 * \`rollback\` do: the project's current release, when the suite the checklist resolved is that release's
 * suite (same config, flags and images; otherwise the checks described another suite). Only the
 * checklist result changes, never the release's status (a failed run during an incident must not make
 * another release "current"); \`rollback\`'s default target passes over a release whose last checklist
 * failed. Under the project's lock, not waited for: while an \`up\` runs, nothing is recorded.
 */
export async function recordChecklistRun(
  resolved: { suite: SuiteSpec; options: SuiteOptions },
  report: ChecklistReport,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReleaseRecording> {
  const [{ currentReleaseOf }, { withLock }, { writeRelease }, { appendAudit }, { buildSuite }] =
    await Promise.all([
      import('./current.js'),
      import('../lock/lock.js'),
      import('./store.js'),
      import('../audit/audit.js'),
      import('../suite/build.js'),
    ]);
  const project = resolved.suite.project;
  const current = await currentReleaseOf(project, env);
  if (!current) return { tag: null, recorded: false, reason: `no release of project ${project} is recorded` };
  // the release names the services image by its content tag, which `up` computes (and the checklist does
  // not): compared with the release's, the rest of the suite decides
  const checked = buildSuite({ ...resolved.options, packageImage: current.suite.packageImage });
  if (canonicalJson(current.suite) !== canonicalJson(checked)) {
    return {
      tag: current.tag,
      recorded: false,
      reason:
        `the suite checked is not release ${current.tag}'s (aisuite.yaml or the flags changed since it was deployed` +
        (current.aisuiteVersion === packageVersion()
          ? ')'
          : `, or aisuite: it was deployed by ${current.aisuiteVersion}, this is ${packageVersion()})`),
    };
  }
  try {
    return await withLock(project, 'checklist', { env }, async () => {
      const now = await currentReleaseOf(project, env);
      if (now?.tag !== current.tag || now.deployedAt !== current.deployedAt) {
        return {
          tag: now?.tag ?? null,
          recorded: false,
          reason: `release ${current.tag} was replaced while the checks ran`,
        };
      }
      const checklist = checklistOfReport(report);
      await writeRelease({ ...now, checklist }, env);
      await appendAudit(
        project,
        {
          action: 'checklist',
          result: checklist.status === 'passed' ? 'ok' : 'failed',
          tag: now.tag,
          ...(checklist.status === 'failed' ? { message: describeChecklistFailure(checklist) } : {}),
        },
        env,
      );
      return { tag: now.tag, recorded: true };
    });
  } catch (error) {
    if (error instanceof AisuiteError && error.code === 'LOCKED') {
      return { tag: current.tag, recorded: false, reason: error.message };
    }
    throw error;
  }
}

/** One line naming each failed critical check and what it found. */
export function describeChecklistFailure(checklist: ReleaseChecklist): string {
  const items = (checklist.failures ?? []).map((f) => `${f.id} (${f.message})`);
  return `post-deploy checks failed: ${items.length > 0 ? items.join('; ') : (checklist.failedCritical ?? []).join(', ') || 'see aisuite checklist'}`;
}
