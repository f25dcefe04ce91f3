/**
 * Token buckets per (token, tool), in memory: a bucket holds `calls` tokens and refills evenly over
 * `windowMs`, so `calls` calls pass at once and the next one waits for the refill. The limiter is
 * per process (one mcp-server per suite); a restart gives every caller a full bucket.
 */
import type { Rate } from './config.js';

export type Take = { ok: true; remaining: number } | { ok: false; retryAfterMs: number; limit: Rate };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly defaultRate: Rate,
    private readonly perTool: ReadonlyMap<string, Rate> = new Map(),
    private readonly now: () => number = Date.now,
  ) {}

  rateFor(tool: string): Rate {
    return this.perTool.get(tool) ?? this.defaultRate;
  }

  /** Takes one call from the bucket of (tokenId, tool), or says how long until one is available. */
  take(tokenId: number, tool: string): Take {
    const limit = this.rateFor(tool);
    const perMs = limit.calls / limit.windowMs;
    const key = `${tokenId}\u0000${tool}`;
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: limit.calls, at: t };
    b.tokens = Math.min(limit.calls, b.tokens + Math.max(0, t - b.at) * perMs);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - b.tokens) / perMs), limit };
  }

  /** Drops full buckets (they behave exactly like absent ones) so idle callers cost no memory. */
  sweep(): void {
    const t = this.now();
    for (const [key, b] of this.buckets) {
      const tool = key.slice(key.indexOf('\u0000') + 1);
      const limit = this.rateFor(tool);
      if (b.tokens + (t - b.at) * (limit.calls / limit.windowMs) >= limit.calls) this.buckets.delete(key);
    }
  }
}

/** "60 calls per 1m" (or "1 call per 10s") for messages. */
export function describeRate(r: Rate): string {
  const w = r.windowMs;
  const unit =
    w % 3_600_000 === 0
      ? `${w / 3_600_000}h`
      : w % 60_000 === 0
        ? `${w / 60_000}m`
        : w % 1000 === 0
          ? `${w / 1000}s`
          : `${w}ms`;
  return `${r.calls} call${r.calls === 1 ? '' : 's'} per ${unit}`;
}
