import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe, systemClock } from '../../../src/lib/probes/index.js';
import { LABELS } from '../../../src/lib/suite/labels.js';
import { assertNoLeftovers } from '../../support/docker-leftovers.js';
import { ensureStandInImages } from '../../support/stand-in/images.js';

// Real Docker engine: containers labelled as an aisuite project, in the states the probe must tell apart.
const docker = new Docker();
const project = `aisuite-probe-${randomBytes(4).toString('hex')}`;
const ctx = () => ({ signal: AbortSignal.timeout(10_000), clock: systemClock });
let image: string;

async function run(
  service: string,
  cmd: string[],
  extra: Docker.ContainerCreateOptions = {},
): Promise<Docker.Container> {
  const c = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    Labels: { [LABELS.project]: project, [LABELS.service]: service },
    ...extra,
  });
  await c.start();
  return c;
}

async function until(fn: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  image = (await ensureStandInImages(['debian-bookworm']))['debian-bookworm']!;
}, 300_000);

afterAll(async () => {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.project}=${project}`] },
  });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  await assertNoLeftovers(project);
});

describe('docker probe against the real engine', () => {
  it('reaches the engine', async () => {
    const outcome = await createProbe({ kind: 'docker', check: 'engine' }).run(ctx());
    expect(outcome.ok).toBe(true);
    expect(outcome.message).toMatch(/^Docker \S+ \(API \d+\.\d+\)$/);
  });

  it('reports an unreachable engine', async () => {
    const outcome = await createProbe(
      { kind: 'docker', check: 'engine' },
      { docker: new Docker({ socketPath: '/nonexistent/docker.sock' }) },
    ).run(ctx());
    expect(outcome).toMatchObject({ ok: false, message: 'Docker engine not reachable: ENOENT' });
  });

  it('passes for healthy running containers, then names a missing service, an exited and a restarting one', async () => {
    // Given a healthy container of the project
    await run('web', ['sleep', '300'], {
      Healthcheck: { Test: ['CMD', 'true'], Interval: 500_000_000, StartPeriod: 0, Retries: 1 },
    });
    await until(async () => {
      const list = await docker.listContainers({
        filters: { label: [`${LABELS.project}=${project}`], health: ['healthy'] },
      });
      return list.length === 1;
    });
    const probe = createProbe({ kind: 'docker', check: 'containers', project, services: ['web'] });
    expect(await probe.run(ctx())).toMatchObject({
      ok: true,
      message: '1 container running, none restarted',
    });

    // When a service has no container
    const missing = await createProbe({
      kind: 'docker',
      check: 'containers',
      project,
      services: ['web', 'rag'],
    }).run(ctx());
    expect(missing).toMatchObject({ ok: false, message: 'rag: no container' });

    // When a container exited and another keeps restarting
    await run('oneshot', ['true']);
    await run('crashy', ['sh', '-c', 'exit 1'], {
      HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 50 } },
    });
    await until(async () => {
      const list = await docker.listContainers({
        all: true,
        filters: { label: [`${LABELS.service}=crashy`, `${LABELS.project}=${project}`] },
      });
      const info = list[0] && (await docker.getContainer(list[0].Id).inspect());
      return (info?.RestartCount ?? 0) >= 1;
    });
    const outcome = await probe.run(ctx());
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/crashy: .*restarted \d+ times|crashy: restarted \d+ times/);
    expect(outcome.message).toContain('oneshot: exited');
  }, 60_000);
});
