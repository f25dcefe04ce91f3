import http from 'node:http';
import type Docker from 'dockerode';
import type { ServiceSpec, SuiteSpec } from '../suite/types.js';
import { connectHost } from '../suite/address.js';

/** Time source and sleep, injectable so the strategies can be tested without real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export type WaitFailureKind = 'exited' | 'unhealthy' | 'timeout' | 'aborted';

/** Why a container did not become ready: its state and health at the moment the wait gave up. */
export class WaitError extends Error {
  constructor(
    message: string,
    readonly kind: WaitFailureKind,
    readonly state: string,
    readonly health?: string,
  ) {
    super(message);
    this.name = 'WaitError';
  }
}

export interface WaitTarget {
  /** Inspect the container (the strategies poll it rather than subscribe to events). */
  inspect(): Promise<Docker.ContainerInspectInfo>;
  /** Log text so far (for the log-line strategy). */
  logs?(): Promise<string>;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** A fixed poll interval; by default {@link pollInterval}'s schedule. */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

/** Waits until a container is ready, or fails with a WaitError. */
export interface WaitStrategy {
  readonly description: string;
  waitUntilReady(target: WaitTarget, options: WaitOptions): Promise<void>;
}

type Probe = (info: Docker.ContainerInspectInfo) => Promise<boolean>;

/** Polling cadence: tight while a quick service is most likely to become ready, then relaxed. */
const POLL_SCHEDULE = { fastMs: 50, fastForMs: 5_000, slowMs: 250 } as const;

/**
 * The pause before the next poll, `elapsedMs` into a wait: every 50 ms for the first 5 s (most
 * services are ready within a second or two, and each poll is one inspect plus one local GET, so a
 * 250 ms cadence alone added up to ~125 ms per dependency level to a cold start), then every 250 ms
 * (a database or model loader taking minutes is not polled 20 times a second).
 */
function pollInterval(elapsedMs: number, fixedMs?: number): number {
  if (fixedMs !== undefined) return fixedMs;
  return elapsedMs < POLL_SCHEDULE.fastForMs ? POLL_SCHEDULE.fastMs : POLL_SCHEDULE.slowMs;
}

/**
 * The shared loop: inspect, fail at once on an exited/dead container or an unhealthy status, otherwise
 * ask `ready`; keep polling until the deadline.
 */
async function poll(
  target: WaitTarget,
  options: WaitOptions,
  ready: Probe,
  what: () => string,
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  let last: { state: string; health?: string; note?: string } = { state: 'unknown' };
  for (;;) {
    if (options.signal?.aborted) {
      throw new WaitError('interrupted while waiting', 'aborted', last.state, last.health);
    }
    const info = await target.inspect();
    const state = info.State.Status;
    const health = info.State.Health?.Status;
    last = { state, health };
    if (state === 'exited' || state === 'dead') {
      throw new WaitError(
        `container ${state} with code ${info.State.ExitCode}${info.State.Error ? ` (${info.State.Error})` : ''}`,
        'exited',
        state,
        health,
      );
    }
    if (state === 'restarting') {
      throw new WaitError(
        `container is restarting (exit code ${info.State.ExitCode})`,
        'exited',
        state,
        health,
      );
    }
    if (health === 'unhealthy') {
      const lastCheck = info.State.Health?.Log?.at(-1)?.Output?.trim();
      throw new WaitError(
        `health check reports unhealthy${lastCheck ? `: ${lastCheck}` : ''}`,
        'unhealthy',
        state,
        health,
      );
    }
    if (state === 'running' && (await ready(info))) return;
    if (clock.now() >= deadline) {
      throw new WaitError(
        `not ready after ${Math.round(options.timeoutMs / 1000)}s (${what()}; state ${state}${health ? `, health ${health}` : ''})`,
        'timeout',
        state,
        health,
      );
    }
    try {
      await clock.sleep(pollInterval(clock.now() - started, options.intervalMs), options.signal);
    } catch {
      throw new WaitError('interrupted while waiting', 'aborted', state, health);
    }
  }
}

/** Ready when Docker's health check says healthy. */
export class HealthCheckWait implements WaitStrategy {
  readonly description = 'health check';
  async waitUntilReady(target: WaitTarget, options: WaitOptions): Promise<void> {
    await poll(
      target,
      options,
      async (info) => info.State.Health?.Status === 'healthy',
      () => 'waiting for healthy',
    );
  }
}

class GetTimeout extends Error {}

/**
 * The status of one GET (the body is drained and discarded). node:http rather than fetch: it is
 * already loaded for the engine calls, where fetch's own HTTP stack costs ~40-60 ms to load in every
 * `up`. A ref'd timer bounds it: a published port whose container does not answer can leave the
 * request pending with nothing else keeping the event loop alive.
 */
function getStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    const timer = setTimeout(
      () => req.destroy(new GetTimeout(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
  });
}

/**
 * Ready when an HTTP endpoint answers 2xx; 503 ("loading") and refused connections keep waiting.
 *
 * Each GET gets a short timeout at first, doubled after every GET that timed out, up to
 * `requestTimeoutMs`: a GET sent through Docker's port proxy in the first moments of a container
 * can hang without an answer (measured: the first readiness GET of a just-started container hung for
 * the whole 2 s timeout in about one cold start in three, while the next GET got 200 at once), and a
 * slow but live endpoint still gets the full timeout after a few tries.
 */
export class HttpWait implements WaitStrategy {
  readonly description: string;
  private lastStatus = 'no answer yet';
  constructor(
    readonly url: string,
    private readonly requestTimeoutMs = 2000,
    private readonly firstRequestTimeoutMs = 250,
  ) {
    this.description = `GET ${url}`;
  }
  async waitUntilReady(target: WaitTarget, options: WaitOptions): Promise<void> {
    let timeoutMs = Math.min(this.firstRequestTimeoutMs, this.requestTimeoutMs);
    await poll(
      target,
      options,
      async () => {
        try {
          const status = await getStatus(this.url, timeoutMs);
          this.lastStatus = `HTTP ${status}`;
          return status >= 200 && status < 300;
        } catch (error) {
          if (error instanceof GetTimeout) {
            this.lastStatus = `no answer within ${timeoutMs} ms`;
            timeoutMs = Math.min(timeoutMs * 2, this.requestTimeoutMs);
          } else {
            this.lastStatus = (error as Error).message;
          }
          return false;
        }
      },
      () => `GET ${this.url}: ${this.lastStatus}`,
    );
  }
}

/** Ready when the container's log contains a line matching the pattern. */
export class LogLineWait implements WaitStrategy {
  readonly description: string;
  constructor(private readonly pattern: RegExp) {
    this.description = `log line ${pattern}`;
  }
  async waitUntilReady(target: WaitTarget, options: WaitOptions): Promise<void> {
    if (!target.logs) throw new Error('LogLineWait needs a target that can read logs');
    const logs = target.logs.bind(target);
    await poll(
      target,
      options,
      async () => this.pattern.test(await logs()),
      () => `waiting for ${this.pattern}`,
    );
  }
}

/** Ready as soon as the container runs (for services with neither readiness endpoint nor health check). */
export class RunningWait implements WaitStrategy {
  readonly description = 'running';
  async waitUntilReady(target: WaitTarget, options: WaitOptions): Promise<void> {
    await poll(
      target,
      options,
      async () => true,
      () => 'waiting for running',
    );
  }
}

/**
 * The strategy for a service: its readiness endpoint through the published host port, else its Docker
 * health check, else "running".
 */
export function waitStrategyFor(suite: SuiteSpec, svc: ServiceSpec): WaitStrategy {
  const readiness = svc.readiness;
  if (readiness) {
    const port = svc.ports.find((p) => p.container === readiness.port && p.host !== undefined);
    if (port?.host !== undefined) {
      return new HttpWait(`http://${connectHost(suite.bindAddress)}:${port.host}${readiness.path}`);
    }
  }
  if (svc.healthcheck) return new HealthCheckWait();
  return new RunningWait();
}
