import type { ReleaseChecklist } from './types.js';
import type { SuiteOptions } from '../suite/build.js';
import type { SuiteSpec } from '../suite/types.js';

export interface PostDeployOptions {
  readonly signal?: AbortSignal;
  /** Deadline for the whole checklist (default 180 s). */
  readonly deadlineSeconds?: number;
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
  const secrets = await readSecrets(resolved.secretsFile);
  const report = await runChecklist(targetFromSuite({ resolved, secrets }), {
    stages: ['post-deploy'],
    deadlineSeconds: options.deadlineSeconds ?? 180,
    signal: options.signal,
  });
  const failedCritical = report.checks
    .filter((c) => c.severity === 'critical' && (c.status === 'failed' || c.status === 'blocked'))
    .map((c) => c.id);
  return {
    status: report.exitCode === 0 ? 'passed' : 'failed',
    passed: report.summary.passed,
    failed: report.summary.failed + report.summary.blocked,
    skipped: report.summary.skipped,
    failedCritical,
    exitCode: report.exitCode,
  };
}
