import type { ProbeSpec } from '../probes/types.js';

export type Severity = 'critical' | 'warning' | 'info';
export type Stage = 'pre-flight' | 'post-deploy';
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'blocked';

export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];
export const STAGES: readonly Stage[] = ['pre-flight', 'post-deploy'];

/** Timing in Kubernetes probe words; seconds. */
export interface Timing {
  /** Time one attempt may take. */
  readonly timeoutSeconds: number;
  /** Wait between attempts. */
  readonly periodSeconds: number;
  /** Failed attempts in a row before the check fails (1: no retry). */
  readonly failureThreshold: number;
  /** Wait before the first attempt. */
  readonly initialDelaySeconds: number;
}

export const DEFAULT_TIMING: Timing = {
  timeoutSeconds: 5,
  periodSeconds: 2,
  failureThreshold: 1,
  initialDelaySeconds: 0,
};

/** A check ready to run: placeholders resolved, applicability decided. */
export interface Check {
  readonly id: string;
  readonly title: string;
  readonly stage: Stage;
  readonly severity: Severity;
  /** What to do when it fails. */
  readonly remedy: string;
  readonly needs: readonly string[];
  readonly timing: Timing;
  readonly probe: ProbeSpec;
  /** Set when the check cannot run here (e.g. `profile=cpu`, `without=grafana`): reported as skipped. */
  readonly skip?: string;
  /** Set when the check cannot be filled in (e.g. a secret is missing): reported as failed with this message. */
  readonly invalid?: string;
  /** `builtin` or `file:line` of a user check. */
  readonly source: string;
}

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly stage: Stage;
  readonly severity: Severity;
  readonly status: CheckStatus;
  /** For people: what the probe found, or why the check did not run. */
  readonly message: string;
  /** Machine reason for non-passed checks: `skipped: profile=cpu`, `blocked by <id>`, `deadline`, `probe`. */
  readonly reason?: string;
  readonly attempts: number;
  readonly durationMs: number;
  readonly remedy: string;
  readonly source: string;
  readonly observed?: unknown;
}
