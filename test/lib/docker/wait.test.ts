import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HealthCheckWait,
  HttpWait,
  LogLineWait,
  RunningWait,
  WaitError,
  waitStrategyFor,
  type Clock,
  type WaitTarget,
} from '../../../src/lib/docker/wait.js';
import { buildSuite } from '../../../src/lib/suite/build.js';
import { connectHost } from '../../../src/lib/suite/address.js';

/** A clock that advances by the requested sleep at once (no real waiting). */
function fakeClock(): Clock & { slept: number } {
  let now = 0;
  const clock = {
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.slept += ms;
    },
  };
  return clock;
}

type State = { Status: string; ExitCode?: number; Health?: { Status: string; Log?: { Output: string }[] } };
/** A container whose inspect walks through the given states (the last one repeats). */
function target(states: State[], logs = ''): WaitTarget & { calls: number } {
  const t = {
    calls: 0,
    async inspect() {
      const s = states[Math.min(t.calls, states.length - 1)] as State;
      t.calls += 1;
      return { State: { ExitCode: 0, Error: '', ...s } } as unknown as Docker.ContainerInspectInfo;
    },
    async logs() {
      return logs;
    },
  };
  return t;
}

describe('HealthCheckWait', () => {
  it('waits through "starting" until healthy', async () => {
    const t = target([
      { Status: 'running', Health: { Status: 'starting' } },
      { Status: 'running', Health: { Status: 'starting' } },
      { Status: 'running', Health: { Status: 'healthy' } },
    ]);
    const clock = fakeClock();
    await new HealthCheckWait().waitUntilReady(t, { timeoutMs: 10_000, clock, intervalMs: 100 });
    expect(t.calls).toBe(3);
    expect(clock.slept).toBe(200);
  });

  it('fails at once on unhealthy, with the last check output', async () => {
    const t = target([
      { Status: 'running', Health: { Status: 'unhealthy', Log: [{ Output: 'pg_isready: no response' }] } },
    ]);
    const error = await new HealthCheckWait()
      .waitUntilReady(t, { timeoutMs: 10_000, clock: fakeClock() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect(error).toMatchObject({ kind: 'unhealthy', state: 'running', health: 'unhealthy' });
    expect((error as Error).message).toMatch(/pg_isready: no response/);
    expect(t.calls).toBe(1);
  });

  it('fails at once when the container exits, with its exit code', async () => {
    const t = target([{ Status: 'exited', ExitCode: 3 }]);
    await expect(
      new HealthCheckWait().waitUntilReady(t, { timeoutMs: 10_000, clock: fakeClock() }),
    ).rejects.toMatchObject({
      kind: 'exited',
      message: 'container exited with code 3',
    });
  });

  it('times out on the injected clock', async () => {
    const t = target([{ Status: 'running', Health: { Status: 'starting' } }]);
    const clock = fakeClock();
    await expect(
      new HealthCheckWait().waitUntilReady(t, { timeoutMs: 5_000, clock, intervalMs: 1_000 }),
    ).rejects.toMatchObject({ kind: 'timeout', message: expect.stringMatching(/not ready after 5s/) });
    expect(clock.slept).toBe(5_000);
  });

  it('polls every 50 ms for the first 5 s, then every 250 ms, by default', async () => {
    const t = target([{ Status: 'running', Health: { Status: 'starting' } }]);
    const clock = fakeClock();
    await expect(new HealthCheckWait().waitUntilReady(t, { timeoutMs: 10_000, clock })).rejects.toMatchObject(
      {
        kind: 'timeout',
      },
    );
    // 100 polls in the fast 5 s, 20 in the slow 5 s, plus the one at the deadline
    expect(t.calls).toBe(5_000 / 50 + 5_000 / 250 + 1);
    expect(clock.slept).toBe(10_000);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      new HealthCheckWait().waitUntilReady(target([{ Status: 'running' }]), {
        timeoutMs: 5_000,
        clock: fakeClock(),
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe('HttpWait against a real HTTP server', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  it('keeps waiting through 503 ("loading") and is ready on 200', async () => {
    let requests = 0;
    server = http.createServer((_req, res) => {
      requests += 1;
      res.statusCode = requests < 3 ? 503 : 200;
      res.end(requests < 3 ? '{"error":{"message":"Loading model"}}' : 'ok');
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new HttpWait(`http://127.0.0.1:${port}/health`).waitUntilReady(target([{ Status: 'running' }]), {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    expect(requests).toBe(3);
  });

  it('gives up on a GET that hangs after a short timeout and polls again (doubling it each time)', async () => {
    const seen: number[] = [];
    const started = Date.now();
    server = http.createServer((_req, res) => {
      seen.push(Date.now() - started);
      // the first two GETs never get an answer (like a just-started container behind Docker's proxy)
      if (seen.length <= 2) return;
      res.end('ok');
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const wait = new HttpWait(`http://127.0.0.1:${port}/readyz`, 2_000, 100);
    await wait.waitUntilReady(target([{ Status: 'running' }]), { timeoutMs: 10_000, intervalMs: 10 });
    expect(seen).toHaveLength(3);
    // 100 ms for the first GET, 200 ms for the second, far from the 2 s a single timeout would cost
    expect(seen[1]).toBeGreaterThanOrEqual(100);
    expect(seen[2]).toBeGreaterThanOrEqual(300);
    expect(seen[2]).toBeLessThan(1_500);
    server.closeAllConnections();
  });

  it('times out naming the URL and the last answer', async () => {
    server = http.createServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await expect(
      new HttpWait(`http://127.0.0.1:${port}/readyz`).waitUntilReady(target([{ Status: 'running' }]), {
        timeoutMs: 200,
        intervalMs: 20,
      }),
    ).rejects.toMatchObject({ kind: 'timeout', message: expect.stringMatching(/readyz: HTTP 503/) });
  });
});

describe('other strategies and the factory', () => {
  it('LogLineWait is ready when the pattern appears', async () => {
    await new LogLineWait(/ready to accept connections/).waitUntilReady(
      target([{ Status: 'running' }], 'init\ndatabase system is ready to accept connections\n'),
      { timeoutMs: 1000, clock: fakeClock() },
    );
  });

  it('RunningWait waits for "running"', async () => {
    const t = target([{ Status: 'created' }, { Status: 'running' }]);
    await new RunningWait().waitUntilReady(t, { timeoutMs: 1000, clock: fakeClock() });
    expect(t.calls).toBe(2);
  });

  it('picks HTTP through the host port, else the health check, else running', () => {
    const suite = buildSuite({
      project: 'demo',
      phase: 3,
      profile: 'cpu',
      monitoring: true,
      without: [],
      images: {},
      ports: { 'api-gateway': 18000 },
      bindAddress: '0.0.0.0',
      alerting: { webhook: [], slack: [], email: [] },
      packageImage: 'aisuite/services:x',
      modelsDir: '/m',
      nGpuLayers: 1,
      chatModelFile: 'c.gguf',
      codeModelFile: 'd.gguf',
      contextSize: 512,
      embeddingModel: 'm',
      lokiRetentionHours: 24,
    });
    const of = (name: string) =>
      waitStrategyFor(
        suite,
        suite.services.find((s) => s.name === name)!,
      );
    expect(of('api-gateway')).toBeInstanceOf(HttpWait);
    expect((of('api-gateway') as HttpWait).url).toBe('http://127.0.0.1:18000/readyz');
    expect(of('postgres')).toBeInstanceOf(HealthCheckWait);
    expect(of('postgres-exporter')).toBeInstanceOf(RunningWait);
    expect(connectHost('192.168.1.5')).toBe('192.168.1.5');
    expect(connectHost('0.0.0.0')).toBe('127.0.0.1');
  });
});
