import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DownResult } from '../../src/commands/down.js';
import type { ReleasesResult } from '../../src/commands/releases/index.js';
import type { ChecklistReport } from '../../src/lib/checklist/report.js';
import type { StatusResult } from '../../src/commands/status.js';
import type { UpResult } from '../../src/commands/up.js';
import { assertNoLeftovers, listProjectObjects } from '../support/docker-leftovers.js';
import { json, TestSuite } from './support/suite.js';

const docker = new Docker();
const suite = new TestSuite(inject('e2e'));

async function containerIds(project: string): Promise<Record<string, string>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`io.aisuite.project=${project}`] },
  });
  return Object.fromEntries(list.map((c) => [c.Labels['io.aisuite.service'] as string, c.Id]));
}

/** `up` with `args`, expecting success: its result. */
async function upOk(...args: string[]): Promise<UpResult> {
  const result = await suite.run(['up', ...args, '--pull', 'never', '--json']);
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return json<UpResult>(result);
}
/**
 * `aisuite logs --follow ARGS` running in the background: what it printed so far, a wait for a condition
 * on that (60 s), and a stop (Ctrl-C).
 */
function followLogs(...args: string[]) {
  const child = execa(
    process.execPath,
    [suite.bin, 'logs', '--follow', ...args, '--config', suite.configFile],
    {
      env: suite.env,
      reject: false,
    },
  );
  const seen = { out: '', err: '' };
  child.stdout?.on('data', (c: Buffer) => (seen.out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (seen.err += c.toString()));
  return {
    seen,
    running: () => child.exitCode === null,
    async until(what: string, done: () => boolean): Promise<void> {
      const deadline = Date.now() + 60_000;
      while (!done()) {
        if (Date.now() > deadline)
          throw new Error(`no ${what} after 60s:\n${seen.out.slice(-2000)}\n${seen.err}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop(): Promise<void> {
      child.kill('SIGINT');
      await child;
    },
  };
}
const actions = (up: UpResult) => up.plan.map((e) => [e.service, e.action]);

beforeAll(async () => {
  await suite.init();
});

afterAll(async () => {
  await suite.cleanup();
  await assertNoLeftovers(suite.project);
});

describe('phase 1, CPU profile, on a real engine', () => {
  let firstIds: Record<string, string> = {};

  it('comes up healthy', async () => {
    // Given an empty engine for this project, when `up` runs
    const up = await upOk('--phase', '1', '--cpu');
    // Then every phase 1 service was created and is ready
    expect(up.project).toBe(suite.project);
    expect(actions(up)).toEqual([
      ['inference-chat', 'create'],
      ['inference-code', 'create'],
      ['api-gateway', 'create'],
    ]);
    for (const svc of up.services) {
      expect(svc.state).toBe('running');
      expect(svc.readyMs).toBeGreaterThan(0);
    }
    // and the gateway answers through its published port
    const ready = await fetch(`http://127.0.0.1:${suite.ports['api-gateway']}/readyz`);
    expect(ready.status).toBe(200);
    const models = await fetch(`http://127.0.0.1:${suite.ports['api-gateway']}/v1/models`);
    expect(models.status).toBe(401); // the gateway requires the generated API key
    firstIds = await containerIds(suite.project);
    expect(Object.keys(firstIds).sort()).toEqual(['api-gateway', 'inference-chat', 'inference-code']);
  });

  it('status shows it', async () => {
    const result = await suite.run(['status', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const status = json<StatusResult>(result);
    expect(status.missing).toEqual([]);
    expect(status.services.map((s) => [s.name, s.state])).toEqual([
      ['api-gateway', 'running'],
      ['inference-chat', 'running'],
      ['inference-code', 'running'],
    ]);
    const gateway = status.services.find((s) => s.name === 'api-gateway');
    expect(gateway?.ports).toEqual([`127.0.0.1:${suite.ports['api-gateway']}->8080/tcp`]);
    expect(gateway?.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(gateway?.image).toMatch(/^aisuite\/services:0\.1\.0-[0-9a-f]{12}$/);

    const table = await suite.run(['status']);
    expect(String(table.stdout)).toMatch(/SERVICE\s+STATE\s+HEALTH\s+PORTS\s+IMAGE\s+UPTIME/);
  });

  it("the pre-flight checklist counts the suite's own published ports as free (as up does)", async () => {
    const result = await suite.run(['checklist', '--pre-flight', '--only', 'port-free', '--json']);
    const report = json<ChecklistReport>(result);
    const ports = report.checks.filter((c) => c.id.startsWith('port-free-'));
    expect(ports.map((c) => [c.id, c.status])).toEqual([
      ['port-free-inference-chat', 'passed'],
      ['port-free-inference-code', 'passed'],
      ['port-free-api-gateway', 'passed'],
    ]);
    expect(ports.every((c) => c.message.includes("is held by this suite's"))).toBe(true);
    // another project's checklist sees the same ports as taken
    const other = json<ChecklistReport>(
      await suite.run(['checklist', '--pre-flight', '--only', 'port-free', '--project', 'other', '--json']),
    );
    expect(other.checks.filter((c) => c.id.startsWith('port-free-')).map((c) => c.status)).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
  });

  it('a second up recreates nothing (container ids unchanged)', async () => {
    const up = await upOk('--phase', '1', '--cpu');
    expect(up.plan.map((e) => e.action)).toEqual(['keep', 'keep', 'keep']);
    expect(await containerIds(suite.project)).toEqual(firstIds);
  });

  it('a full post-deploy checklist run is recorded on the deployed release; a partial one is not', async () => {
    const before = json<ReleasesResult>(await suite.run(['releases', '--json']));
    const tag = before.current;
    expect(before.releases.find((r) => r.tag === tag)?.checklist.status).toBe('not-run');
    // the phase and profile come from the deployed release, as for any checklist without them
    const full = await suite.run(['checklist', '--json']);
    expect(full.exitCode, String(full.stdout).slice(-2000)).toBe(0);
    const report = json<ChecklistReport>(full);
    expect(report.release).toEqual({ tag, recorded: true });
    expect(String(full.stderr)).toContain(`Recorded on release ${tag}.`);
    const after = json<ReleasesResult>(await suite.run(['releases', '--json', '--audit']));
    const release = after.releases.find((r) => r.tag === tag);
    expect(release?.status).toBe('good');
    expect(release?.checklist).toMatchObject({ status: 'passed', checkedAt: report.startedAt, failed: 0 });
    expect(after.audit?.at(-1)).toMatchObject({ action: 'checklist', result: 'ok', tag });
    // status says which release runs and that its checklist passed
    const status = json<StatusResult>(await suite.run(['status', '--json']));
    expect(status.releaseDetail).toMatchObject({
      command: 'up',
      checklist: { status: 'passed', checkedAt: report.startedAt },
    });
    expect(String((await suite.run(['status'])).stdout)).toContain(
      `Release ${tag}, deployed ${release?.deployedAt} by `,
    );
    // --only, and --all (its pre-flight checks judge the host), are not a verdict on the release: no
    // `release` in their reports, the record unchanged
    for (const args of [['--only', 'gateway-auth-required'], ['--all']]) {
      const partial = json<ChecklistReport>(await suite.run(['checklist', ...args, '--json']));
      expect(partial.checks.length, args.join(' ')).toBeGreaterThan(0);
      expect(partial.release, args.join(' ')).toBeUndefined();
    }
    const unchanged = json<ReleasesResult>(await suite.run(['releases', '--json']));
    expect(unchanged.releases.find((r) => r.tag === tag)?.checklist.checkedAt).toBe(report.startedAt);
  });

  it('an up from another state directory (other generated secrets) stops before changing anything', async () => {
    const other = path.join(os.tmpdir(), `aisuite-e2e-other-state-${process.pid}`);
    try {
      const result = await suite.run(['up', '--phase', '1', '--cpu', '--pull', 'never'], {
        env: { AISUITE_STATE_DIR: other },
      });
      expect(result.exitCode).toBe(2);
      expect(String(result.stderr)).toContain(
        `runs containers deployed with the secrets in ${path.join(String(suite.env.AISUITE_STATE_DIR), suite.project, 'secrets.env')}`,
      );
      expect(String(result.stderr)).toContain(`AISUITE_STATE_DIR=${suite.env.AISUITE_STATE_DIR}`);
      expect(await containerIds(suite.project)).toEqual(firstIds);
      // status from there shows the containers, and says where their release and secrets are
      const status = await suite.run(['status'], { env: { AISUITE_STATE_DIR: other } });
      expect(status.exitCode, String(status.stderr)).toBe(0);
      expect(String(status.stdout)).toContain(
        `No release of project ${suite.project} is recorded in ${path.join(other, suite.project, 'releases')}: ` +
          `its containers were deployed with another state (AISUITE_STATE_DIR=${suite.env.AISUITE_STATE_DIR}).`,
      );
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const result = await suite.run(['up', '--phase', '1', '--cpu', '--dry-run']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/api-gateway\s+keep\s+running, config unchanged/);
    expect(await containerIds(suite.project)).toEqual(firstIds);
  });

  it('--dry-run --gpu without the model files shows the plan, then every failed pre-flight check', async () => {
    // Given an empty models directory (and, on a machine without NVIDIA's tools, no GPU)
    const models = await mkdtemp(path.join(os.tmpdir(), 'aisuite-no-models-'));
    try {
      // When a GPU dry run is asked for
      const args = ['up', '--phase', '1', '--gpu', '--models-dir', models, '--dry-run'];
      const text = await suite.run(args);
      const result = await suite.run([...args, '--json']);
      // Then it fails as the real run would (exit 2), after showing what it would have done
      expect(text.exitCode, String(text.stderr)).toBe(2);
      expect(String(text.stdout)).toMatch(/inference-chat\s+recreate/);
      expect(String(text.stderr)).toContain('chat.gguf and code.gguf');
      const { error } = json<{
        error: { code: string; details: { checks: Array<{ id: string }>; plan: UpResult['plan'] } };
      }>(result);
      expect(result.exitCode).toBe(2);
      // naming the models, and the GPU too where none is visible: each failed check once
      const failed = error.details.checks.map((c) => c.id);
      expect(failed).toContain('models');
      expect(failed.filter((id) => id !== 'models' && id !== 'gpu')).toEqual([]);
      expect(error.code).toBe(failed.length > 1 ? 'PREFLIGHT_FAILED' : 'PREFLIGHT_MODELS');
      expect(error.details.plan.map((e) => [e.service, e.action])).toEqual([
        ['inference-chat', 'recreate'],
        ['inference-code', 'recreate'],
        ['api-gateway', 'keep'],
      ]);
      // and changes nothing
      expect(await containerIds(suite.project)).toEqual(firstIds);
    } finally {
      await rm(models, { recursive: true, force: true });
    }
  });

  it("changing one service's setting recreates only that service", async () => {
    // Given a new host port for inference-code only
    const [newPort] = await (await import('./support/suite.js')).freePorts(1);
    suite.ports = { ...suite.ports, 'inference-code': newPort as number };
    await suite.writeConfig();
    // When up runs again
    const up = await upOk('--phase', '1', '--cpu');
    // Then only inference-code is recreated; the others keep their containers
    expect(actions(up)).toEqual([
      ['inference-chat', 'keep'],
      ['inference-code', 'recreate'],
      ['api-gateway', 'keep'],
    ]);
    // and the plan says what changed: the service's own spec (its published port), nothing else
    expect(up.plan[1]?.reason).toMatch(/^config changed: spec \(/);
    const ids = await containerIds(suite.project);
    expect(ids['inference-chat']).toBe(firstIds['inference-chat']);
    expect(ids['api-gateway']).toBe(firstIds['api-gateway']);
    expect(ids['inference-code']).not.toBe(firstIds['inference-code']);
    const health = await fetch(`http://127.0.0.1:${newPort}/health`);
    expect(health.status).toBe(200);
  });

  it("the gateway's router settings in aisuite.yaml reach the running gateway; only it is recreated", async () => {
    // Given router settings for a slow model: a long timeout, one retry, chat -> code only, no code routing
    await suite.writeConfig({
      gateway: { timeoutSeconds: 600, numRetries: 1, fallbacks: { chat: ['code'] }, codeRouting: false },
    });
    // When up runs again
    const up = await upOk('--phase', '1', '--cpu');
    // Then only the gateway is recreated, and it reports the settings as its router's
    expect(actions(up)).toEqual([
      ['inference-chat', 'keep'],
      ['inference-code', 'keep'],
      ['api-gateway', 'recreate'],
    ]);
    const health = (await (await fetch(`http://127.0.0.1:${suite.ports['api-gateway']}/health`)).json()) as {
      router: Record<string, unknown>;
    };
    expect(health.router).toMatchObject({
      timeout_ms: 600_000,
      num_retries: 1,
      fallbacks: { chat: ['code'] },
      code_routing: false,
    });
  });

  it('a rotated gateway API key: up recreates only the gateway, which then takes the new key and refuses the old', async () => {
    const key = async () => String((await suite.run(['secrets', 'get', 'gateway-api-key'])).stdout).trim();
    const models = (k: string) =>
      fetch(`http://127.0.0.1:${suite.ports['api-gateway']}/v1/models`, {
        headers: { authorization: `Bearer ${k}` },
      }).then((r) => r.status);
    const old = await key();
    expect(await models(old)).toBe(200);
    // When the key is rotated, the running gateway still takes the old one
    const rotate = await suite.run(['secrets', 'rotate', 'gateway-api-key', '--json']);
    expect(rotate.exitCode, String(rotate.stderr)).toBe(0);
    expect(json<{ services: string[] }>(rotate).services).toEqual(['api-gateway']);
    expect(await models(old)).toBe(200);
    // and up recreates the gateway alone, for a secrets change
    const up = await upOk();
    expect(actions(up)).toEqual([
      ['inference-chat', 'keep'],
      ['inference-code', 'keep'],
      ['api-gateway', 'recreate'],
    ]);
    expect(up.plan[2]?.reason).toMatch(/^config changed: secrets \(/);
    const fresh = await key();
    expect(fresh).not.toBe(old);
    expect(await models(old)).toBe(401);
    expect(await models(fresh)).toBe(200);
  });

  it('logs --follow keeps following a service through a restart and its replacement by up', async () => {
    const listening = () => follow.seen.out.split('\n').filter((l) => l.includes('"msg":"listening"'));
    const follow = followLogs('inference-code');
    try {
      await follow.until('first start', () => listening().length === 1);
      // the container stops and starts again (as a crash and the restart policy would): its new lines
      const id = (await containerIds(suite.project))['inference-code'] as string;
      await docker.getContainer(id).restart({ t: 1 });
      await follow.until('restart', () => listening().length === 2);
      expect(follow.seen.err).toContain('inference-code: running again; following it');
      // up replaces it (a new host port): the new container's lines, from its start
      const [port] = await (await import('./support/suite.js')).freePorts(1);
      suite.ports = { ...suite.ports, 'inference-code': port as number };
      await suite.writeConfig();
      expect(actions(await upOk('--phase', '1', '--cpu'))).toContainEqual(['inference-code', 'recreate']);
      const replaced = (await containerIds(suite.project))['inference-code'] as string;
      await follow.until('new container', () => listening().length === 3);
      expect(follow.seen.err).toContain(
        `inference-code: following its new container ${replaced.slice(0, 12)}`,
      );
      expect(follow.running()).toBe(true);
    } finally {
      await follow.stop();
    }
    // every start once: nothing read twice after the restart
    expect(listening()).toHaveLength(3);
  });

  it('logs --follow of the whole suite takes in a service whose first container starts later', async () => {
    const follow = followLogs('--tail', '1');
    let late: Docker.Container | undefined;
    try {
      // the three services' last lines, each prefixed to the width of the longest service name
      await follow.until('first lines', () =>
        ['inference-chat', 'inference-code', 'api-gateway'].every((n) => follow.seen.out.includes(`${n} `)),
      );
      expect(follow.seen.out).toMatch(/^api-gateway {7}\| \{/m);
      // then a container of another service of the project starts, as `up` of a later phase starts one
      late = await docker.createContainer({
        Image: inject('e2e').nodeImage,
        name: `${suite.project}-late-embedding`,
        Cmd: ['node', '-e', "setInterval(() => console.log('late tick'), 200)"],
        Labels: { 'io.aisuite.project': suite.project, 'io.aisuite.service': 'embedding' },
      });
      await late.start();
      await follow.until('the later service', () => /^embedding {9}\| late tick$/m.test(follow.seen.out));
      expect(follow.seen.err).toContain('embedding: started; following it');
    } finally {
      await follow.stop();
      await late?.remove({ force: true });
    }
  });

  it('logs shows one service, and prefixes names when several', async () => {
    const one = await suite.run(['logs', 'api-gateway', '--tail', '5']);
    expect(one.exitCode, String(one.stderr)).toBe(0);
    const lines = String(one.stdout).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines[0]).toMatch(/^\{/); // JSON log lines, no prefix, no Docker frame header bytes

    const all = await suite.run(['logs', '--tail', '2']);
    expect(all.exitCode, String(all.stderr)).toBe(0);
    expect(String(all.stdout)).toMatch(/^inference-chat \| \{/m);
    expect(String(all.stdout)).toMatch(/^api-gateway {4}\| \{/m);

    const unknown = await suite.run(['logs', 'no-such-service']);
    expect(unknown.exitCode).toBe(2);
    expect(String(unknown.stderr)).toContain('unknown service "no-such-service"');
    expect(String(unknown.stderr)).toMatch(/Hint: Services: inference-chat, .*, rag, /);
    // a service of the catalog that this phase 1 suite does not run
    const missing = await suite.run(['logs', 'rag']);
    expect(missing.exitCode).toBe(2);
    expect(String(missing.stderr)).toMatch(/no container of service rag in project /);
    expect(String(missing.stderr)).toMatch(/Hint: Services of .*: .*api-gateway/);
  });

  it('down removes the containers and the network', async () => {
    const result = await suite.run(['down', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const down = json<DownResult>(result);
    expect(down.containers.map((c) => c.service).sort()).toEqual([
      'api-gateway',
      'inference-chat',
      'inference-code',
    ]);
    expect(down.networks).toEqual([`${suite.project}-net`]);
    expect(await listProjectObjects(suite.project)).toEqual({ containers: [], networks: [], volumes: [] });
    // status still knows what the current release runs, and names what has no container
    const status = json<StatusResult>(await suite.run(['status', '--json']));
    expect(status.services).toEqual([]);
    expect(status.release).toEqual(expect.any(String));
    expect([...status.missing].sort()).toEqual(['api-gateway', 'inference-chat', 'inference-code']);
  });

  it('down --purge needs --yes without a terminal, then deletes the state directory and names a secrets file kept elsewhere', async () => {
    const stateDir = path.join(String(suite.env.AISUITE_STATE_DIR), suite.project);
    const outside = path.join(String(suite.env.AISUITE_STATE_DIR), 'elsewhere.env');
    await copyFile(path.join(stateDir, 'secrets.env'), outside);
    const refused = await suite.run(['down', '--purge']);
    expect(refused.exitCode).toBe(2);
    expect(String(refused.stderr)).toContain(
      '--purge deletes the suite data and its secrets and needs confirmation',
    );
    expect(existsSync(path.join(stateDir, 'secrets.env'))).toBe(true);
    const result = await suite.run(['down', '--purge', '--yes', '--secrets-file', outside, '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(json<DownResult>(result)).toMatchObject({ purged: stateDir, keptSecretsFile: outside });
    expect(existsSync(stateDir)).toBe(false);
    expect(existsSync(outside)).toBe(true);
  });
});
