/**
 * Background dependency checks with cached results, so /readyz and /health are constant-time and
 * never call a dependency per probe.
 */

export type CheckState = 'up' | 'degraded' | 'down' | 'unknown';

export interface CheckResult {
  state: CheckState;
  /** Free-form detail (model name, dimension, status code...) shown in /health. */
  detail?: Record<string, unknown>;
  error?: string;
  latencyMs?: number;
  checkedAt?: string;
}

export interface CheckOptions {
  name: string;
  /** A hard dependency that is down makes /readyz answer 503 (unless the service sets its own rule). */
  hard: boolean;
  intervalMs: number;
  timeoutMs: number;
  /** Resolves to `up` (or a result); a throw or a timeout counts as `down` with the error message. */
  run(signal: AbortSignal): Promise<CheckState | Omit<CheckResult, 'latencyMs' | 'checkedAt'> | void>;
}

/** The first re-check after a dependency is found down (then doubling up to the interval). */
const FIRST_RETRY_MS = 250;

export class Check {
  private result: CheckResult = { state: 'unknown' };
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private running: Promise<CheckResult> | undefined;
  private readonly listeners: Array<(r: CheckResult, prev: CheckResult) => void> = [];

  constructor(readonly opts: CheckOptions) {}

  get name(): string {
    return this.opts.name;
  }

  get hard(): boolean {
    return this.opts.hard;
  }

  current(): CheckResult {
    return this.result;
  }

  onChange(fn: (r: CheckResult, prev: CheckResult) => void): void {
    this.listeners.push(fn);
  }

  /** Runs the check now (coalescing concurrent calls) and caches the result. */
  runNow(): Promise<CheckResult> {
    this.running ??= this.execute().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Checks now and then every `intervalMs`; while the dependency is down, sooner: 250 ms after the
   * first failure, doubling up to `intervalMs`. A service that starts alongside its dependencies
   * (the gateway and its model backends in one `up`) so sees them come up within a fraction of a
   * second instead of a whole interval later, and a recovered dependency is back in use as fast.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    let retryMs = Math.min(FIRST_RETRY_MS, this.opts.intervalMs);
    const tick = (): void => {
      // a throwing onChange listener must not end the schedule (setInterval did not either)
      const next = this.runNow().catch((): CheckResult => ({ state: 'down' }));
      void next.then((r) => {
        if (!this.started) return;
        let delay = this.opts.intervalMs;
        if (r.state === 'down') {
          delay = retryMs;
          retryMs = Math.min(retryMs * 2, this.opts.intervalMs);
        } else {
          retryMs = Math.min(FIRST_RETRY_MS, this.opts.intervalMs);
        }
        this.timer = setTimeout(tick, delay);
        this.timer.unref();
      });
    };
    tick();
  }

  stop(): void {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async execute(): Promise<CheckResult> {
    const started = performance.now();
    const ac = new AbortController();
    const t = setTimeout(
      () => ac.abort(new Error(`timed out after ${this.opts.timeoutMs}ms`)),
      this.opts.timeoutMs,
    );
    let next: CheckResult;
    try {
      const r = await Promise.race([
        this.opts.run(ac.signal),
        new Promise<never>((_, reject) =>
          ac.signal.addEventListener('abort', () => reject(ac.signal.reason)),
        ),
      ]);
      next = typeof r === 'string' ? { state: r } : r ? { ...r } : { state: 'up' };
    } catch (e) {
      next = { state: 'down', error: (e as Error)?.message ?? String(e) };
    } finally {
      clearTimeout(t);
    }
    next.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    next.checkedAt = new Date().toISOString();
    const prev = this.result;
    this.result = next;
    for (const fn of this.listeners) fn(next, prev);
    return next;
  }
}
