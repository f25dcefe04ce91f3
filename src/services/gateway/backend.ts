import { Pool } from 'undici';
import type { CheckResult, CheckState } from '../kit/index.js';
import { BACKEND_STATE } from './metrics.js';

const FAIL_WINDOW_MS = 60_000;

/**
 * One model group's backend: a keep-alive connection pool plus the router's view of its health
 * (last background check, failures in the last minute, cooldown).
 */
export class Backend {
  readonly pool: Pool;
  /** Health checks get their own connection so a pool saturated by streams cannot fail them. */
  private readonly healthPool: Pool;
  readonly origin: string;
  readonly basePath: string;
  private failures: number[] = [];
  private cooldownUntil = 0;
  health: CheckResult = { state: 'unknown' };

  constructor(
    readonly name: string,
    readonly baseUrl: string,
    opts: { connections: number; allowedFails: number; cooldownMs: number },
    private readonly now: () => number = Date.now,
  ) {
    const u = new URL(baseUrl);
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, '');
    this.pool = new Pool(this.origin, {
      connections: opts.connections,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: 2_000 },
    });
    this.healthPool = new Pool(this.origin, {
      connections: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: 2_000 },
    });
    this.allowedFails = opts.allowedFails;
    this.cooldownMs = opts.cooldownMs;
  }

  private readonly allowedFails: number;
  private readonly cooldownMs: number;

  /** Can take traffic: not cooling down and the last health check did not say down. */
  available(): boolean {
    return this.now() >= this.cooldownUntil && this.health.state !== 'down';
  }

  /** Milliseconds until the cooldown ends (0 when not cooling down). */
  cooldownRemaining(): number {
    return Math.max(0, this.cooldownUntil - this.now());
  }

  /** Records a failed attempt; returns true when this failure started a cooldown. */
  recordFailure(): boolean {
    const t = this.now();
    this.failures = this.failures.filter((f) => t - f < FAIL_WINDOW_MS);
    this.failures.push(t);
    if (this.failures.length > this.allowedFails && t >= this.cooldownUntil) {
      this.cooldownUntil = t + this.cooldownMs;
      this.failures = [];
      return true;
    }
    return false;
  }

  recentFailures(): number {
    const t = this.now();
    return this.failures.filter((f) => t - f < FAIL_WINDOW_MS).length;
  }

  /** 0 healthy, 1 degraded, 2 down (the gauge's values). */
  state(): number {
    if (!this.available()) return BACKEND_STATE.down;
    if (this.health.state === 'degraded' || this.recentFailures() > 0) return BACKEND_STATE.degraded;
    return BACKEND_STATE.healthy;
  }

  stateName(): 'healthy' | 'degraded' | 'down' {
    return (['healthy', 'degraded', 'down'] as const)[this.state()] ?? 'down';
  }

  /** llama.cpp-style /health: 200 is up, 503 "Loading model" is down (cannot serve yet). */
  async check(
    signal: AbortSignal,
  ): Promise<{ state: CheckState; detail: Record<string, unknown>; error?: string }> {
    const detail = { url: this.baseUrl };
    const res = await this.pool.request({
      method: 'GET',
      path: `${this.basePath}/health`,
      signal,
      headersTimeout: 5_000,
    });
    const text = await res.body.text();
    if (res.statusCode === 200) return { state: 'up', detail };
    const loading = res.statusCode === 503 && /loading/i.test(text);
    return {
      state: 'down',
      detail: { ...detail, loading },
      error: loading ? 'loading model' : `health answered ${res.statusCode}`,
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.healthPool.close()]);
  }
}
