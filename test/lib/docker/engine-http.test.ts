import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineAddress } from '../../../src/lib/docker/engine.js';
import { EngineHttpError, lazyDocker, plainEndpoint } from '../../../src/lib/docker/engine-http.js';
import { readLogLines } from '../../../src/lib/docker/logs.js';
import { LABELS } from '../../../src/lib/suite/labels.js';
import { assertNoLeftovers } from '../../support/docker-leftovers.js';
import { ensureStandInImages } from '../../support/stand-in/images.js';

describe('plainEndpoint (which DOCKER_HOST plain node:http can reach)', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'aisuite-home-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('unix sockets and plain tcp; not TLS, ssh, a path prefix or a client timeout', () => {
    expect(plainEndpoint({}, home)).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(plainEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, home)).toEqual({
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(plainEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }, home)).toEqual({
      host: '10.0.0.5',
      port: 2375,
    });
    expect(plainEndpoint({ DOCKER_HOST: '10.0.0.5:2375' }, home)).toEqual({ host: '10.0.0.5', port: 2375 });
    for (const env of [
      { DOCKER_HOST: 'tcp://10.0.0.5:2376' },
      { DOCKER_HOST: 'tcp://10.0.0.5:2375', DOCKER_TLS_VERIFY: '1' },
      { DOCKER_HOST: 'tcp://10.0.0.5:2375', DOCKER_CERT_PATH: '/home/me/.docker' },
      { DOCKER_HOST: 'ssh://me@builder' },
      { DOCKER_HOST: 'npipe:////./pipe/docker_engine' },
      { DOCKER_HOST: 'tcp://10.0.0.5:2375', DOCKER_PATH_PREFIX: '/docker' },
      { DOCKER_CLIENT_TIMEOUT: '5000' },
    ]) {
      expect(plainEndpoint(env, home), JSON.stringify(env)).toBeUndefined();
    }
  });

  it("prefers Docker Desktop's per-user socket when it exists, like docker-modem", async () => {
    const sock = path.join(home, '.docker', 'run', 'docker.sock');
    await mkdir(path.dirname(sock), { recursive: true });
    await writeFile(sock, '');
    expect(plainEndpoint({}, home)).toEqual({ socketPath: sock });
    // and the "engine not reachable" message names the socket that was tried
    expect(engineAddress({}, home)).toBe(`unix://${sock}`);
    expect(engineAddress({}, path.join(home, 'nowhere'))).toBe('unix:///var/run/docker.sock');
    expect(engineAddress({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }, home)).toBe('tcp://10.0.0.5:2375');
  });
});

// Real Docker engine: the lazy client answers the read-only calls like dockerode, without loading it.
describe('lazyDocker against the real engine', () => {
  const docker = new Docker();
  const endpoint = plainEndpoint(process.env) as NonNullable<ReturnType<typeof plainEndpoint>>;
  const project = `aisuite-enginehttp-${randomBytes(4).toString('hex')}`;
  let id = '';
  let image = '';

  beforeAll(async () => {
    image = (await ensureStandInImages(['debian-bookworm']))['debian-bookworm'] as string;
    const c = await docker.createContainer({
      Image: image,
      Cmd: ['sleep', '60'],
      Labels: { [LABELS.project]: project, [LABELS.service]: 'sleeper' },
    });
    id = c.id;
  }, 300_000);
  afterAll(async () => {
    await docker.getContainer(id).remove({ force: true });
    await assertNoLeftovers(project);
  });

  it('answers version, lists with label filters and inspects exactly as dockerode does', async () => {
    let loaded = 0;
    const lazy = lazyDocker(endpoint, () => {
      loaded++;
      return docker;
    });
    expect((await lazy.version()).ApiVersion).toBe((await docker.version()).ApiVersion);
    const filters = { label: [`${LABELS.project}=${project}`] };
    const list = await lazy.listContainers({ all: true, filters });
    expect(list.map((c) => c.Id)).toEqual([id]);
    expect(list).toEqual(await docker.listContainers({ all: true, filters }));
    const inspected = await lazy.getContainer(id).inspect();
    expect(inspected.Id).toBe(id);
    expect(inspected.Config.Labels).toEqual((await docker.getContainer(id).inspect()).Config.Labels);
    expect((await lazy.listNetworks({ filters: { name: ['bridge'] } })).map((n) => n.Name)).toContain(
      'bridge',
    );
    // an image reference with a registry-style path and a tag, as the suite's images have
    expect((await lazy.getImage(image).inspect()).Id).toBe((await docker.getImage(image).inspect()).Id);
    expect(loaded).toBe(0); // none of this needed dockerode
    // a call it does not serve itself goes to dockerode, loaded then
    expect(await lazy.getImage(image).history()).toEqual(await docker.getImage(image).history());
    expect(loaded).toBe(1);
  });

  it("runs a container's life cycle like dockerode: create, start, stop, remove, and a network's", async () => {
    let loaded = 0;
    const lazy = lazyDocker(endpoint, () => {
      loaded++;
      return docker;
    });
    const net = await lazy.createNetwork({ Name: `${project}-net`, Labels: { [LABELS.project]: project } });
    const c = await lazy.createContainer({
      name: `${project}-life`,
      Image: image,
      Cmd: ['sleep', '60'],
      Labels: { [LABELS.project]: project, [LABELS.service]: 'life' },
      HostConfig: { NetworkMode: `${project}-net` },
    });
    const info = await docker.getContainer(c.id).inspect();
    expect(info.Name).toBe(`/${project}-life`);
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([`${project}-net`]);
    await lazy.getContainer(c.id).start();
    // starting a running container is a 304, which callers treat as "already started"
    await expect(lazy.getContainer(c.id).start()).rejects.toMatchObject({ statusCode: 304 });
    expect((await docker.getContainer(c.id).inspect()).State.Running).toBe(true);
    await lazy.getContainer(c.id).stop({ t: 0 });
    expect((await docker.getContainer(c.id).inspect()).State.Running).toBe(false);
    await lazy.getContainer(c.id).remove({ force: true, v: true });
    await expect(docker.getContainer(c.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await lazy.getNetwork(net.id).remove();
    await expect(lazy.getNetwork(net.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(loaded).toBe(0);
  });

  it("reads a container's logs like dockerode: all of them as one Buffer, or a stream to follow", async () => {
    let loaded = 0;
    const lazy = lazyDocker(endpoint, () => {
      loaded++;
      return docker;
    });
    const c = await docker.createContainer({
      name: `${project}-talker`,
      Image: image,
      // `later` comes seconds after the rest: the follow below starts before it
      Cmd: ['sh', '-c', 'echo out-1; echo err-1 >&2; echo out-2; sleep 3; echo later; sleep 60'],
      Labels: { [LABELS.project]: project, [LABELS.service]: 'talker' },
    });
    const linesOf = async (bytes: Buffer) => {
      const lines: string[] = [];
      await readLogLines(Readable.from([bytes]), (line, from) => lines.push(`${from}:${line}`));
      return lines;
    };
    try {
      await c.start();
      // the multiplexed bytes (8-byte frame headers, stdout and stderr) as dockerode returns them, once
      // Docker has the first three lines
      const opts = { stdout: true, stderr: true, tail: 3, follow: false as const };
      let expected: Buffer = Buffer.alloc(0);
      for (let i = 0; i < 100 && (await linesOf(expected)).length < 3; i++) {
        await new Promise((r) => setTimeout(r, 20));
        expected = await docker.getContainer(c.id).logs(opts);
      }
      const bytes = (await lazy.getContainer(c.id).logs(opts)) as unknown as Buffer;
      expect(Buffer.isBuffer(bytes)).toBe(true);
      expect(bytes).toEqual(expected);
      // (stdout and stderr are two pipes: their order between them is not fixed)
      expect((await linesOf(bytes)).sort()).toEqual(['stderr:err-1', 'stdout:out-1', 'stdout:out-2']);
      // tail: the last N lines Docker recorded
      const last = (await lazy.getContainer(c.id).logs({ ...opts, tail: 1 })) as unknown as Buffer;
      expect(await linesOf(last)).toEqual((await linesOf(expected)).slice(-1));
      // following: lines written after the call arrive, until the caller stops reading
      const stream = await lazy
        .getContainer(c.id)
        .logs({ stdout: true, stderr: true, follow: true, tail: 0 });
      const stop = new AbortController();
      const followed: string[] = [];
      await readLogLines(
        stream,
        (line) => {
          followed.push(line);
          stop.abort();
        },
        { signal: stop.signal },
      );
      expect(followed).toEqual(['later']);
      // a container that is not there: a 404 with the engine's message
      await expect(
        lazy.getContainer('aisuite-no-such-container').logs({ stdout: true }),
      ).rejects.toMatchObject({ statusCode: 404 });
      expect(loaded).toBe(0);
    } finally {
      await c.remove({ force: true });
    }
  });

  it('fails like dockerode: statusCode on the error, errno code when the engine is not there', async () => {
    const lazy = lazyDocker(endpoint, () => docker);
    const err = await lazy
      .getContainer('aisuite-no-such-container')
      .inspect()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineHttpError);
    expect(err).toMatchObject({
      statusCode: 404,
      message: expect.stringMatching(/^\(HTTP code 404\).*No such container/),
    });
    const nowhere = lazyDocker({ socketPath: '/nonexistent/docker.sock' }, () => docker);
    await expect(nowhere.version()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the calls of up, down, status and logs never load dockerode (checked in a fresh process)', () => {
    const script = `
      import { createRequire } from 'node:module';
      import { createDocker } from './src/lib/docker/engine.ts';
      const docker = createDocker();
      await docker.version();
      await docker.listContainers({ all: true });
      await docker.getImage('aisuite-no-such-image:1').inspect().catch(() => undefined);
      await docker.getContainer('aisuite-no-such-container').stop({ t: 0 }).catch(() => undefined);
      await docker.getContainer('aisuite-no-such-container').logs({ stdout: true }).catch(() => undefined);
      const loaded = Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/dockerode/'));
      console.log(JSON.stringify({ loaded }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ loaded: false });
  });
});
