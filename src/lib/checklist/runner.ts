import { systemClock, type Clock } from '../probes/clock.js';
import { createProbe, type ProbeDeps } from '../probes/index.js';
import type { Probe, ProbeOutcome } from '../probes/types.js';
import type { Check, CheckResult } from './types.js';

export interface RunOptions {
  /** Checks running at once (default 8). */
  readonly concurrency?: number;
  /** Deadline for the whole run in seconds (default none). */
  readonly deadlineSeconds?: number;
  readonly clock?: Clock;
  /** Aborts the run (Ctrl-C): running checks stop, the rest are reported as not run. */
  readonly signal?: AbortSignal;
  readonly deps?: ProbeDeps;
  /** Override probe creation (tests of the runner's own logic). */
  readonly createProbe?: (check: Check) => Probe;
  /** Called as each check finishes (progress output). */
  readonly onResult?: (result: CheckResult) => void;
}

export interface RunOutcome {
  /** In definition order, whatever order they finished in. */
  readonly results: CheckResult[];
  readonly deadlineExceeded: boolean;
  readonly interrupted: boolean;
  readonly durationMs: number;
}

class DeadlineError extends Error {
  constructor() {
    super('deadline passed');
    this.name = 'DeadlineError';
  }
}

/** Races a promise against an abort signal (probes that ignore the signal still end the attempt). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

/**
 * Runs checks with bounded concurrency. A check starts when all its `needs` have finished; a need that
 * did not pass makes it `blocked by <id>` (a skipped need passes its skip reason on). Each check makes
 * attempts with `timeoutSeconds` each, `periodSeconds` apart, until one passes or `failureThreshold`
 * attempts failed. The deadline aborts whatever is still running or waiting.
 */
export async function runChecks(checks: readonly Check[], options: RunOptions = {}): Promise<RunOutcome> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const stop = new AbortController();
  let deadlineExceeded = false;
  let interrupted = false;
  const deadlineTimer = new AbortController();
  if (options.deadlineSeconds !== undefined) {
    clock.sleep(options.deadlineSeconds * 1000, deadlineTimer.signal).then(
      () => {
        deadlineExceeded = true;
        stop.abort(new DeadlineError());
      },
      () => undefined,
    );
  }
  const onInterrupt = () => {
    interrupted = true;
    stop.abort(options.signal?.reason ?? new Error('interrupted'));
  };
  if (options.signal?.aborted) onInterrupt();
  options.signal?.addEventListener('abort', onInterrupt, { once: true });

  const byId = new Map(checks.map((c) => [c.id, c]));
  // Checks that others wait on start first (longest chain of dependents, then definition order), so a
  // concurrency bound does not push a chain like rag-index -> rag-query behind a row of quick checks.
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen = new Set<string>()): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const children = checks.filter((c) => c.needs.includes(id));
    const d = children.length === 0 ? 0 : 1 + Math.max(...children.map((c) => depthOf(c.id, seen)));
    depth.set(id, d);
    return d;
  };
  const order = checks
    .map((c, index) => ({ c, index, d: depthOf(c.id) }))
    .sort((a, b) => b.d - a.d || a.index - b.index)
    .map((x) => x.c);
  const results = new Map<string, CheckResult>();
  const pending = new Set(checks.map((c) => c.id));
  const running = new Set<Promise<void>>();

  const finish = (result: CheckResult) => {
    results.set(result.id, result);
    options.onResult?.(result);
  };
  const base = (c: Check) => ({
    id: c.id,
    title: c.title,
    stage: c.stage,
    severity: c.severity,
    remedy: c.remedy,
    source: c.source,
  });
  const notRun = (c: Check, status: CheckResult['status'], message: string, reason: string): CheckResult => ({
    ...base(c),
    status,
    message,
    reason,
    attempts: 0,
    durationMs: 0,
  });

  const execute = async (c: Check): Promise<CheckResult> => {
    const t0 = clock.now();
    const probe = options.createProbe ? options.createProbe(c) : createProbe(c.probe, options.deps);
    let attempts = 0;
    let last: ProbeOutcome = { ok: false, message: 'not run' };
    try {
      if (c.timing.initialDelaySeconds > 0)
        await clock.sleep(c.timing.initialDelaySeconds * 1000, stop.signal);
      for (;;) {
        attempts += 1;
        const attempt = new AbortController();
        const timer = new AbortController();
        clock.sleep(c.timing.timeoutSeconds * 1000, timer.signal).then(
          () => attempt.abort(new Error(`timed out after ${c.timing.timeoutSeconds}s`)),
          () => undefined,
        );
        const signal = AbortSignal.any([attempt.signal, stop.signal]);
        try {
          last = await untilAborted(probe.run({ signal, clock }), signal);
        } catch (error) {
          if (stop.signal.aborted) throw error;
          last = {
            ok: false,
            message: attempt.signal.aborted
              ? `timed out after ${c.timing.timeoutSeconds}s`
              : `probe error: ${(error as Error).message}`,
          };
        } finally {
          timer.abort();
        }
        if (last.ok || attempts >= c.timing.failureThreshold) break;
        await clock.sleep(c.timing.periodSeconds * 1000, stop.signal);
      }
    } catch {
      const why = deadlineExceeded ? 'deadline' : 'interrupted';
      const text = deadlineExceeded ? 'the run deadline passed' : 'the run was interrupted';
      return {
        ...base(c),
        status: 'failed',
        reason: why,
        message:
          attempts > 0 && !last.ok && last.message !== 'not run'
            ? `${text}; last attempt: ${last.message}`
            : text,
        attempts,
        durationMs: Math.round(clock.now() - t0),
      };
    }
    return {
      ...base(c),
      status: last.ok ? 'passed' : 'failed',
      ...(last.ok ? {} : { reason: 'probe' }),
      message: last.message,
      attempts,
      durationMs: Math.round(clock.now() - t0),
      ...(last.observed === undefined ? {} : { observed: last.observed }),
    };
  };

  // Decide what can be decided without running anything, then start what is ready, in definition order.
  const schedule = () => {
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const c of order) {
        if (!pending.has(c.id)) continue;
        if (c.skip !== undefined) {
          pending.delete(c.id);
          finish(notRun(c, 'skipped', `skipped: ${c.skip}`, `skipped: ${c.skip}`));
          progressed = true;
          continue;
        }
        const needs = c.needs.map((id) => results.get(id));
        if (needs.some((r) => r === undefined)) continue;
        const skippedNeed = needs.find((r) => r!.status === 'skipped');
        const badNeed = needs.find((r) => r!.status === 'failed' || r!.status === 'blocked');
        if (badNeed) {
          pending.delete(c.id);
          finish(notRun(c, 'blocked', `blocked by ${badNeed.id}`, `blocked by ${badNeed.id}`));
          progressed = true;
          continue;
        }
        if (skippedNeed) {
          pending.delete(c.id);
          finish(
            notRun(c, 'skipped', `${skippedNeed.message} (needs ${skippedNeed.id})`, skippedNeed.reason!),
          );
          progressed = true;
          continue;
        }
        if (stop.signal.aborted) {
          pending.delete(c.id);
          const why = deadlineExceeded ? 'deadline' : 'interrupted';
          finish(
            notRun(
              c,
              'failed',
              `not run: ${deadlineExceeded ? 'the run deadline passed' : 'interrupted'}`,
              why,
            ),
          );
          progressed = true;
          continue;
        }
        if (c.invalid !== undefined) {
          pending.delete(c.id);
          finish({ ...notRun(c, 'failed', c.invalid, 'probe') });
          progressed = true;
          continue;
        }
        if (running.size >= concurrency) return;
        pending.delete(c.id);
        const task: Promise<void> = execute(c).then((r) => {
          running.delete(task);
          finish(r);
        });
        running.add(task);
      }
    }
  };

  schedule();
  while (running.size > 0) {
    await Promise.race(running);
    schedule();
  }
  // needs on ids that never ran (unknown ids are rejected at load time; this is a safety net)
  for (const id of pending) {
    const c = byId.get(id)!;
    finish(notRun(c, 'blocked', `blocked by ${c.needs.join(', ')}`, `blocked by ${c.needs[0] ?? '?'}`));
  }
  deadlineTimer.abort();
  options.signal?.removeEventListener('abort', onInterrupt);
  return {
    results: checks.map((c) => results.get(c.id)!),
    deadlineExceeded,
    interrupted,
    durationMs: Math.round(clock.now() - started),
  };
}
