import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/probes/clock.js';
import type { Probe, ProbeOutcome } from '../../../src/lib/probes/types.js';
import { runChecks } from '../../../src/lib/checklist/runner.js';
import { decideOutcome } from '../../../src/lib/checklist/report.js';
import { DEFAULT_TIMING, type Check } from '../../../src/lib/checklist/types.js';

// The runner's own logic (order, needs, retries, timeouts, deadline, concurrency) with scripted probes and
// a manual clock; the probes themselves are tested against real servers in test/lib/probes.
type Script = (attempt: number, signal: AbortSignal) => Promise<ProbeOutcome> | ProbeOutcome;

function check(id: string, over: Partial<Check> = {}): Check {
  return {
    id,
    title: id,
    stage: 'post-deploy',
    severity: 'critical',
    remedy: `fix ${id}`,
    needs: [],
    timing: DEFAULT_TIMING,
    probe: { kind: 'command', command: ['true'] },
    source: 'builtin',
    ...over,
  };
}

function scripted(scripts: Record<string, Script>, log: string[] = []) {
  const attempts = new Map<string, number>();
  return (c: Check): Probe => ({
    kind: 'command',
    run: async ({ signal }) => {
      const n = (attempts.get(c.id) ?? 0) + 1;
      attempts.set(c.id, n);
      log.push(`${c.id}#${n}`);
      return (scripts[c.id] ?? (() => ({ ok: true, message: 'ok' })))(n, signal);
    },
  });
}

const never = (signal: AbortSignal) =>
  new Promise<ProbeOutcome>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error)),
  );

describe('checklist runner', () => {
  it('reports in definition order whatever order checks finish in', async () => {
    const clock = new ManualClock();
    const run = runChecks([check('slow'), check('fast')], {
      clock,
      createProbe: scripted({
        slow: async () => {
          await clock.sleep(1000);
          return { ok: true, message: 'slow ok' };
        },
      }),
    });
    await new Promise((r) => setImmediate(r));
    await clock.advance(1000);
    const outcome = await run;
    expect(outcome.results.map((r) => [r.id, r.status])).toEqual([
      ['slow', 'passed'],
      ['fast', 'passed'],
    ]);
  });

  it('blocks dependents of a failed check instead of failing them again, through a chain', async () => {
    const log: string[] = [];
    const { results } = await runChecks(
      [
        check('prometheus-ready'),
        check('targets-up', { needs: ['prometheus-ready'] }),
        check('rules', { needs: ['targets-up'] }),
        check('independent'),
      ],
      { createProbe: scripted({ 'prometheus-ready': () => ({ ok: false, message: 'ECONNREFUSED' }) }, log) },
    );
    expect(results.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['prometheus-ready', 'failed', 'probe'],
      ['targets-up', 'blocked', 'blocked by prometheus-ready'],
      ['rules', 'blocked', 'blocked by targets-up'],
      ['independent', 'passed', undefined],
    ]);
    expect(log).not.toContain('targets-up#1');
    expect(decideOutcome(results, { deadlineExceeded: false, interrupted: false }, false).exitCode).toBe(1);
  });

  it('skips with the reason and passes a skipped need on, never counting it as passed', async () => {
    const { results } = await runChecks(
      [check('gpu-visible', { skip: 'profile=cpu' }), check('gpu-mem', { needs: ['gpu-visible'] })],
      {
        createProbe: scripted({}),
      },
    );
    expect(results.map((r) => [r.status, r.message])).toEqual([
      ['skipped', 'skipped: profile=cpu'],
      ['skipped', 'skipped: profile=cpu (needs gpu-visible)'],
    ]);
    expect(results.every((r) => r.attempts === 0)).toBe(true);
  });

  it('retries up to failureThreshold, periodSeconds apart, and passes on a later attempt', async () => {
    const clock = new ManualClock();
    const timing = { ...DEFAULT_TIMING, failureThreshold: 3, periodSeconds: 2 };
    const run = runChecks([check('flaky', { timing }), check('broken', { timing })], {
      clock,
      createProbe: scripted({
        flaky: (n) => ({ ok: n === 3, message: `attempt ${n}` }),
        broken: (n) => ({ ok: false, message: `attempt ${n}` }),
      }),
    });
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      await clock.advance(1000);
    }
    const { results } = await run;
    expect(results.map((r) => [r.id, r.status, r.attempts, r.message, r.durationMs])).toEqual([
      ['flaky', 'passed', 3, 'attempt 3', 4000],
      ['broken', 'failed', 3, 'attempt 3', 4000],
    ]);
  });

  it('ends an attempt at timeoutSeconds even when the probe ignores it', async () => {
    const clock = new ManualClock();
    const run = runChecks([check('hang', { timing: { ...DEFAULT_TIMING, timeoutSeconds: 5 } })], {
      clock,
      createProbe: scripted({ hang: () => new Promise<ProbeOutcome>(() => undefined) }),
    });
    await new Promise((r) => setImmediate(r));
    await clock.advance(5000);
    const { results } = await run;
    expect(results[0]).toMatchObject({ status: 'failed', reason: 'probe', message: 'timed out after 5s' });
  });

  it('stops at the deadline: running and waiting checks fail with reason deadline, exit code 3', async () => {
    const clock = new ManualClock();
    const run = runChecks(
      [
        check('hang', { timing: { ...DEFAULT_TIMING, timeoutSeconds: 100 } }),
        check('after', { needs: ['hang'] }),
      ],
      {
        clock,
        deadlineSeconds: 10,
        createProbe: scripted({ hang: (_n, signal) => never(signal) }),
      },
    );
    await new Promise((r) => setImmediate(r));
    await clock.advance(10_000);
    const outcome = await run;
    expect(outcome.deadlineExceeded).toBe(true);
    expect(outcome.results.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['hang', 'failed', 'deadline'],
      ['after', 'blocked', 'blocked by hang'],
    ]);
    expect(decideOutcome(outcome.results, outcome, false)).toEqual({ outcome: 'deadline', exitCode: 3 });
  });

  it('never runs more checks at once than the concurrency bound', async () => {
    const clock = new ManualClock();
    let active = 0;
    let peak = 0;
    const script: Script = async () => {
      active += 1;
      peak = Math.max(peak, active);
      await clock.sleep(100);
      active -= 1;
      return { ok: true, message: 'ok' };
    };
    const checks = Array.from({ length: 10 }, (_, i) => check(`c${i}`));
    const run = runChecks(checks, {
      clock,
      concurrency: 3,
      createProbe: scripted(Object.fromEntries(checks.map((c) => [c.id, script]))),
    });
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      await clock.advance(100);
    }
    const { results } = await run;
    expect(peak).toBe(3);
    expect(results.every((r) => r.status === 'passed')).toBe(true);
  });

  it('starts checks that others wait on first, and still reports in definition order', async () => {
    const log: string[] = [];
    const { results } = await runChecks(
      [check('quick-1'), check('quick-2'), check('rag-index'), check('rag-query', { needs: ['rag-index'] })],
      { concurrency: 1, createProbe: scripted({}, log) },
    );
    expect(log[0]).toBe('rag-index#1');
    expect(results.map((r) => r.id)).toEqual(['quick-1', 'quick-2', 'rag-index', 'rag-query']);
  });

  it('reports an unfillable check as failed without running it', async () => {
    const log: string[] = [];
    const { results } = await runChecks(
      [check('needs-secret', { invalid: 'secret gateway-api-key is missing' })],
      {
        createProbe: scripted({}, log),
      },
    );
    expect(results[0]).toMatchObject({
      status: 'failed',
      message: 'secret gateway-api-key is missing',
      attempts: 0,
    });
    expect(log).toEqual([]);
  });

  it('stops on an abort signal (Ctrl-C) and says so', async () => {
    const ac = new AbortController();
    const run = runChecks([check('hang')], {
      signal: ac.signal,
      createProbe: scripted({ hang: (_n, s) => never(s) }),
    });
    ac.abort(new Error('interrupted'));
    const outcome = await run;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.results[0]).toMatchObject({ status: 'failed', reason: 'interrupted' });
    expect(decideOutcome(outcome.results, outcome, false).exitCode).toBe(130);
  });
});

describe('exit code by severity', () => {
  const result = (severity: 'critical' | 'warning' | 'info', status: 'passed' | 'failed' | 'skipped') => ({
    ...check('x', { severity }),
    status,
    message: '',
    reason: status === 'passed' ? undefined : status === 'skipped' ? 'skipped: profile=cpu' : 'probe',
    attempts: 1,
    durationMs: 0,
  });
  const run = { deadlineExceeded: false, interrupted: false };

  it('0 when critical checks passed and only warnings/info failed or were skipped; 4 with --strict', () => {
    const results = [
      result('critical', 'passed'),
      result('warning', 'failed'),
      result('info', 'failed'),
      result('critical', 'skipped'),
    ];
    expect(decideOutcome(results, run, false).exitCode).toBe(0);
    expect(decideOutcome(results, run, true)).toEqual({ outcome: 'warnings', exitCode: 4 });
  });

  it('1 when a critical check failed, even with --strict', () => {
    expect(
      decideOutcome([result('critical', 'failed'), result('warning', 'failed')], run, true).exitCode,
    ).toBe(1);
  });
});
