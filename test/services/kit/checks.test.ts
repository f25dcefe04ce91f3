import { afterEach, describe, expect, it, vi } from 'vitest';
import { Check, type CheckState } from '../../../src/services/kit/checks.js';

/** Starts a check answering `answers` in turn (then `rest`), runs fake time for `ms`, stops it. */
async function runFor(
  ms: number,
  opts: { intervalMs: number; answers: CheckState[]; rest: CheckState },
): Promise<{ at: number[]; check: Check }> {
  const at: number[] = [];
  const t0 = Date.now();
  const check = new Check({
    name: 'dependency',
    hard: true,
    intervalMs: opts.intervalMs,
    timeoutMs: 100,
    run: async () => {
      at.push(Date.now() - t0);
      return opts.answers.shift() ?? opts.rest;
    },
  });
  check.start();
  await vi.advanceTimersByTimeAsync(ms);
  check.stop();
  return { at, check };
}

describe('Check scheduling', () => {
  afterEach(() => vi.useRealTimers());

  it('re-checks a down dependency after 250 ms, doubling up to the interval, and keeps the interval while up', async () => {
    vi.useFakeTimers();
    const { at, check } = await runFor(10_000, {
      intervalMs: 5_000,
      answers: ['down', 'down', 'down', 'up', 'up'],
      rest: 'down',
    });
    // down at 0, re-checked 250 ms later, then 500 ms, then 1 s: up at 1750 ms, next check 5 s later
    expect(at).toEqual([0, 250, 750, 1750, 6750]);
    expect(check.current().state).toBe('up');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(at).toHaveLength(5); // stopped: no more checks
  });

  it('starts the backoff over after the dependency came back', async () => {
    vi.useFakeTimers();
    const { at } = await runFor(2_500, {
      intervalMs: 1_000,
      answers: ['down', 'down', 'up', 'down', 'down'],
      rest: 'up',
    });
    // down, down, up at 750 ms; an interval later down again: 250 ms, then 500 ms
    expect(at).toEqual([0, 250, 750, 1750, 2000, 2500]);
  });
});
