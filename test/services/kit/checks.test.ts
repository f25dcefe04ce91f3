import { afterEach, describe, expect, it, vi } from 'vitest';
import { Check, type CheckState } from '../../../src/services/kit/checks.js';

describe('Check scheduling', () => {
  afterEach(() => vi.useRealTimers());

  it('re-checks a down dependency after 250 ms, doubling up to the interval, and keeps the interval while up', async () => {
    vi.useFakeTimers();
    const answers: CheckState[] = ['down', 'down', 'down', 'up', 'up'];
    const at: number[] = [];
    const check = new Check({
      name: 'backend',
      hard: true,
      intervalMs: 5_000,
      timeoutMs: 100,
      run: async () => {
        at.push(Date.now());
        return answers.shift() ?? 'down';
      },
    });
    const t0 = Date.now();
    check.start();
    await vi.advanceTimersByTimeAsync(10_000);
    check.stop();
    // down at 0, re-checked 250 ms later, then 500 ms, then 1 s: up at 1750 ms, next check 5 s later
    expect(at.map((t) => t - t0)).toEqual([0, 250, 750, 1750, 6750]);
    expect(check.current().state).toBe('up');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(at).toHaveLength(5); // stopped: no more checks
  });

  it('starts the backoff over after the dependency came back', async () => {
    vi.useFakeTimers();
    const answers: CheckState[] = ['down', 'down', 'up', 'down', 'down'];
    const at: number[] = [];
    const check = new Check({
      name: 'db',
      hard: true,
      intervalMs: 1_000,
      timeoutMs: 100,
      run: async () => {
        at.push(Date.now());
        return answers.shift() ?? 'up';
      },
    });
    const t0 = Date.now();
    check.start();
    await vi.advanceTimersByTimeAsync(2_500);
    check.stop();
    // down, down, up at 750 ms; an interval later down again: 250 ms, then 500 ms
    expect(at.map((t) => t - t0)).toEqual([0, 250, 750, 1750, 2000, 2500]);
  });
});
