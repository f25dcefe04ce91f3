import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { packageVersion } from '../version.js';
import type { RunOutcome } from './runner.js';
import type { CheckResult, Stage } from './types.js';

/** Version of the JSON report's schema (docs/CHECKLIST.md); bumped on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;
export const REPORT_KIND = 'aisuite.checklist.report';

export type Outcome = 'passed' | 'failed' | 'deadline' | 'warnings' | 'interrupted';

export interface ChecklistSummary {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly blocked: number;
  /** Critical checks that failed or were blocked. */
  readonly criticalNotPassed: number;
  /** Warning checks that failed or were blocked. */
  readonly warningsNotPassed: number;
}

export interface ChecklistReport {
  readonly kind: typeof REPORT_KIND;
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly tool: { readonly name: 'aisuite'; readonly version: string };
  readonly project: string;
  readonly stages: readonly Stage[];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly deadlineSeconds?: number;
  readonly deadlineExceeded: boolean;
  readonly strict: boolean;
  readonly outcome: Outcome;
  readonly exitCode: ExitCodeValue;
  readonly summary: ChecklistSummary;
  readonly checks: readonly CheckResult[];
  /** Where `aisuite checklist` recorded a post-deploy run of this host's suite, or why it did not. */
  readonly release?: ReleaseRecording;
}

/** The release a checklist run was recorded on (its current release, when the suite checked is its suite). */
export interface ReleaseRecording {
  /** The project's current release, when there is one. */
  readonly tag: string | null;
  readonly recorded: boolean;
  readonly reason?: string;
}

const notPassed = (r: CheckResult) => r.status === 'failed' || r.status === 'blocked';

/**
 * The exit code: 1 when a critical check failed or was blocked for a reason other than the deadline;
 * 3 when the deadline cut the run short; 4 for failed warnings under --strict; else 0. Skipped checks do
 * not count either way (they are listed with their reason).
 */
export function decideOutcome(
  results: readonly CheckResult[],
  run: { deadlineExceeded: boolean; interrupted: boolean },
  strict: boolean,
): { outcome: Outcome; exitCode: ExitCodeValue } {
  if (run.interrupted) return { outcome: 'interrupted', exitCode: ExitCode.INTERRUPTED };
  const byId = new Map(results.map((r) => [r.id, r]));
  // a blocked check fails for real only when the check at the root of its chain failed on its own
  const rootFailedOnItsOwn = (r: CheckResult, seen = new Set<string>()): boolean => {
    if (r.status === 'failed') return r.reason === 'probe';
    const blocker = byId.get(r.reason?.replace(/^blocked by /, '') ?? '');
    if (r.status !== 'blocked' || !blocker || seen.has(blocker.id)) return r.status === 'blocked' && !blocker;
    seen.add(blocker.id);
    return rootFailedOnItsOwn(blocker, seen);
  };
  if (results.some((r) => r.severity === 'critical' && notPassed(r) && rootFailedOnItsOwn(r))) {
    return { outcome: 'failed', exitCode: ExitCode.CHECK_FAILED };
  }
  if (run.deadlineExceeded) return { outcome: 'deadline', exitCode: ExitCode.DEADLINE };
  if (strict && results.some((r) => r.severity === 'warning' && notPassed(r))) {
    return { outcome: 'warnings', exitCode: ExitCode.WARNINGS_STRICT };
  }
  return { outcome: 'passed', exitCode: ExitCode.OK };
}

export function summarize(results: readonly CheckResult[]): ChecklistSummary {
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  return {
    total: results.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    blocked: count('blocked'),
    criticalNotPassed: results.filter((r) => r.severity === 'critical' && notPassed(r)).length,
    warningsNotPassed: results.filter((r) => r.severity === 'warning' && notPassed(r)).length,
  };
}

export function buildReport(input: {
  project: string;
  stages: readonly Stage[];
  startedAt: Date;
  run: RunOutcome;
  strict: boolean;
  deadlineSeconds?: number;
}): ChecklistReport {
  const { outcome, exitCode } = decideOutcome(input.run.results, input.run, input.strict);
  return {
    kind: REPORT_KIND,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'aisuite', version: packageVersion() },
    project: input.project,
    stages: input.stages,
    startedAt: input.startedAt.toISOString(),
    durationMs: input.run.durationMs,
    ...(input.deadlineSeconds === undefined ? {} : { deadlineSeconds: input.deadlineSeconds }),
    deadlineExceeded: input.run.deadlineExceeded,
    strict: input.strict,
    outcome,
    exitCode,
    summary: summarize(input.run.results),
    checks: input.run.results,
  };
}
