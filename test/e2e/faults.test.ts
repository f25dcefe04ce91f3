import net from 'node:net';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { assertNoLeftovers, listProjectObjects } from '../support/docker-leftovers.js';
import { E2E_IMAGES } from './support/context.js';
import { TestSuite } from './support/suite.js';

const ctx = inject('e2e');
const suites: TestSuite[] = [];
async function newSuite(extra: Record<string, unknown> = {}): Promise<TestSuite> {
  const suite = await new TestSuite(ctx).init(extra);
  suites.push(suite);
  return suite;
}

afterEach(async () => {
  for (const suite of suites.splice(0)) {
    await suite.cleanup();
    await assertNoLeftovers(suite.project);
  }
});
afterAll(async () => {
  for (const suite of suites.splice(0)) await suite.cleanup();
});

// One service (inference-chat) keeps each fault test to a single container.
const ONE = ['up', '--phase', '1', '--cpu', '--without', 'inference-code,api-gateway', '--pull', 'never'];

describe('faults', () => {
  it('engine unreachable: a clear error, exit 2, nothing else tried', async () => {
    const suite = await newSuite();
    const result = await suite.run(ONE, { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(
      /the Docker engine is not reachable at unix:\/\/\/nonexistent\/docker\.sock/,
    );
    expect(String(result.stderr)).toMatch(/Hint: Start it/);
  });

  it('a host port already taken: error before anything starts, naming the port and its holder', async () => {
    const suite = await newSuite();
    const port = suite.ports['inference-chat'] as number;
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const result = await suite.run(ONE);
      expect(result.exitCode).toBe(2);
      expect(String(result.stderr)).toContain(
        `127.0.0.1:${port} (inference-chat) is in use by pid ${process.pid}`,
      );
      // nothing was created: no container, no network
      expect(await listProjectObjects(suite.project)).toEqual({ containers: [], networks: [], volumes: [] });
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('an image missing with --pull never: exit 2 naming the image and the service', async () => {
    const suite = await newSuite({
      images: { ...ctx.images, prometheus: 'aisuite-e2e/does-not-exist:1' },
      monitoring: true,
      components: { without: ['alertmanager', 'grafana', 'loki', 'alloy', 'cadvisor', 'node-exporter'] },
    });
    const result = await suite.run(ONE);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(
      /image aisuite-e2e\/does-not-exist:1 \(used by prometheus\) is not on the engine, and --pull never forbids pulling it/,
    );
    expect((await listProjectObjects(suite.project)).containers).toEqual([]);
  });

  it('a service that exits during start: named, with its state and logs, non-zero exit', async () => {
    const suite = await newSuite({ images: { ...ctx.images, 'inference-chat': E2E_IMAGES.crasher } });
    const result = await suite.run(ONE);
    expect(result.exitCode).toBe(1);
    const stderr = String(result.stderr);
    // the restart policy may restart it before the first poll: exited or restarting, both fail at once
    expect(stderr).toMatch(
      /inference-chat did not become ready: container (exited with code 3|is restarting \(exit code 3\))/,
    );
    expect(stderr).toMatch(/state: (exited|restarting)/);
    expect(stderr).toMatch(/last \d+ log lines of inference-chat:\n\s+crasher: boom before ready/);
    // it says what it left: a crash-looping container is between restarts ("running") or not
    expect(stderr).toMatch(/left running: inference-chat|also left: inference-chat \((exited|restarting)\)/);
  });

  it('a dependency that fails: its dependent, created ahead, is removed and named as not started', async () => {
    // rag waits for postgres to be healthy; its container is created before that, as Compose does
    const suite = await newSuite({ images: { ...ctx.images, postgres: E2E_IMAGES.crasher } });
    const result = await suite.run([
      'up',
      '--phase',
      '2',
      '--cpu',
      '--without',
      'inference-chat,inference-code,api-gateway,embedding',
      '--pull',
      'never',
    ]);
    expect(result.exitCode).toBe(1);
    const stderr = String(result.stderr);
    expect(stderr).toMatch(/rag: creating[\s\S]*rag: waiting for postgres \(healthy\)/);
    expect(stderr).toMatch(/postgres did not become ready: container (exited with code 3|is restarting)/);
    expect(stderr).toMatch(/not started \(a dependency failed\): rag/);
    expect(stderr).not.toMatch(/also left: .*rag/);
    const left = await listProjectObjects(suite.project);
    expect(left.containers.filter((c) => c.startsWith(`${suite.project}-rag `))).toEqual([]);
    expect(left.containers.map((c) => c.split(' ')[0])).toEqual([`${suite.project}-postgres`]);
  });

  it('a readiness deadline that passes: exit 3, and it says what was left running', async () => {
    const suite = await newSuite({ images: { ...ctx.images, 'inference-chat': E2E_IMAGES.sleeper } });
    const started = Date.now();
    const result = await suite.run([...ONE, '--wait-timeout', '3']);
    expect(result.exitCode).toBe(3);
    expect(Date.now() - started).toBeLessThan(60_000);
    const stderr = String(result.stderr);
    expect(stderr).toMatch(
      /inference-chat did not become ready: not ready after 3s \(GET http:\/\/127\.0\.0\.1:\d+\/readyz/,
    );
    expect(stderr).toMatch(/left running: inference-chat/);
  });

  it('Ctrl-C while waiting: exit 130, the container is running (never created-but-not-started), and it says so', async () => {
    const suite = await newSuite({ images: { ...ctx.images, 'inference-chat': E2E_IMAGES.sleeper } });
    const { execa } = await import('execa');
    const child = execa(process.execPath, [suite.bin, ...ONE, '--config', suite.configFile], {
      reject: false,
      env: suite.env,
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // interrupt once the wait has begun
    const deadline = Date.now() + 120_000;
    while (!/waiting for GET/.test(stderr) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr)).toMatch(/interrupted: running: inference-chat/);
    const left = await listProjectObjects(suite.project);
    expect(left.containers).toEqual([`${suite.project}-inference-chat (running)`]);
  });
});
