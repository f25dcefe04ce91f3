import { afterEach, describe, expect, it, vi } from 'vitest';
import { runTasks, type Step } from '../../../src/lib/docker/progress.js';

/** Runs the steps with the line-by-line renderer (CI logs) and returns what it wrote to stderr. */
async function verbose(steps: Step[], signal?: AbortSignal): Promise<{ lines: string[]; error?: Error }> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  let error: Error | undefined;
  try {
    await runTasks(steps, { renderer: 'verbose', signal });
  } catch (e) {
    error = e as Error;
  } finally {
    spy.mockRestore();
  }
  return { lines: written.join('').split('\n'), error };
}

const ok = (title: string, done: string[], ms = 0): Step => ({
  title,
  run: async (report) => {
    await new Promise((r) => setTimeout(r, ms));
    report('ready');
    done.push(title);
  },
});
const failing = (title: string): Step => ({
  title,
  run: async () => {
    throw new Error('not ready after 1s');
  },
});

afterEach(() => vi.restoreAllMocks());

describe('progress (listr2, line by line)', () => {
  it('a collect group runs every child to the end, then ends failed, not on a check mark', async () => {
    const done: string[] = [];
    const { lines, error } = await verbose([
      ok('Plan', done),
      { title: 'Services', collect: true, children: () => [failing('postgres'), ok('gateway', done, 30)] },
    ]);
    // the caller reports the collected failures: runTasks itself resolves
    expect(error).toBeUndefined();
    expect(done).toEqual(['Plan', 'gateway']);
    expect(lines.filter((l) => /gateway: ready$/.test(l)).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.endsWith('Services: 1 of 2 failed'))).toBe(true);
    // started (❯ Services), never completed (✔ Services)
    expect(lines.filter((l) => /^\S+ Services$/.test(l))).toHaveLength(1);
  });

  it('a collect group stopped by Ctrl-C says interrupted, not that its children failed', async () => {
    const stop = new AbortController();
    const interrupted = (title: string): Step => ({
      title,
      run: async () => {
        stop.abort();
        throw new Error('interrupted while waiting');
      },
    });
    const { lines, error } = await verbose(
      [{ title: 'Services', collect: true, children: () => [interrupted('postgres'), interrupted('rag')] }],
      stop.signal,
    );
    expect(error).toBeUndefined();
    expect(lines.some((l) => l.endsWith('Services: interrupted'))).toBe(true);
    expect(lines.some((l) => /failed$/.test(l))).toBe(false);
  });

  it('a collect group where nothing failed completes as usual', async () => {
    const done: string[] = [];
    const { lines, error } = await verbose([
      { title: 'Services', collect: true, children: () => [ok('a', done), ok('b', done)] },
    ]);
    expect(error).toBeUndefined();
    expect(done.sort()).toEqual(['a', 'b']);
    expect(lines.filter((l) => /^\S+ Services$/.test(l))).toHaveLength(2);
  });

  it('any other failure stops the run and reaches the caller', async () => {
    const done: string[] = [];
    const { error } = await verbose([failing('Pre-flight'), ok('Plan', done)]);
    expect(error?.message).toBe('not ready after 1s');
    expect(done).toEqual([]);
  });
});
