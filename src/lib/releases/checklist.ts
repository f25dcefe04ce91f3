import type { ReleaseChecklist } from './types.js';
import type { SuiteOptions } from '../suite/build.js';
import type { SuiteSpec } from '../suite/types.js';

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
  const failedChecks = report.checks.filter(
    (c) => c.severity === 'critical' && (c.status === 'failed' || c.status === 'blocked'),
  );
  const failedCritical = failedChecks.map((c) => c.id);
  return {
    status: report.exitCode === 0 ? 'passed' : 'failed',
    passed: report.summary.passed,
    failed: report.summary.failed + report.summary.blocked,
    skipped: report.summary.skipped,
    failedCritical,
    failures: failedChecks.map((c) => ({ id: c.id, message: c.message })),
    exitCode: report.exitCode,
  };
}

/** One line naming each failed critical check and what it found. */
export function describeChecklistFailure(checklist: ReleaseChecklist): string {
  const items = (checklist.failures ?? []).map((f) => `${f.id} (${f.message})`);
  return `post-deploy checks failed: ${items.length > 0 ? items.join('; ') : (checklist.failedCritical ?? []).join(', ') || 'see aisuite checklist'}`;
}
