import fs from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReleasesResult } from '../../src/commands/releases/index.js';
import type { UpResult } from '../../src/commands/up.js';
import { readAudit } from '../../src/lib/audit/audit.js';
import { acquireLock } from '../../src/lib/lock/lock.js';
import type { RollbackResult } from '../../src/lib/releases/rollback.js';
import { readRelease, writeRelease } from '../../src/lib/releases/store.js';
import { assertNoLeftovers } from '../support/docker-leftovers.js';
import { freePorts, json, TestSuite } from './support/suite.js';
import { E2E_IMAGES } from './support/context.js';

const docker = new Docker();
const suite = new TestSuite(inject('e2e'));
// phase 2 without rag and embedding: the inference pair, the gateway and Postgres (data to keep)
const BASE = ['--phase', '2', '--cpu', '--without', 'rag,embedding', '--pull', 'never'];

async function containerIds(): Promise<Record<string, string>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`io.aisuite.project=${suite.project}`] },
  });
  return Object.fromEntries(list.map((c) => [c.Labels['io.aisuite.service'] as string, c.Id]));
}

async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const secrets = await fs.readFile(
    path.join(suite.env.AISUITE_STATE_DIR!, suite.project, 'secrets.env'),
    'utf8',
  );
  const password = /^POSTGRES_PASSWORD=(.*)$/m.exec(secrets)?.[1];
  const client = new pg.Client({
    host: '127.0.0.1',
    port: suite.ports.postgres,
    user: 'aisuite',
    database: 'aisuite',
    password,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const countNotes = () =>
  withDb(async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM notes')).rows[0]!.n));

const env = () => ({ ...process.env, ...suite.env });

beforeAll(async () => {
  await suite.init();
});

afterAll(async () => {
  await suite.cleanup();
  await assertNoLeftovers(suite.project);
});

describe('releases and rollback on a real engine', () => {
  let tagA = '';
  let tagB = '';
  let portA = 0;
  let portB = 0;

  it('up records release A; rows are written to Postgres', async () => {
    const result = await suite.run(['up', ...BASE, '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const up = json<UpResult>(result);
    tagA = up.release!;
    expect(tagA).toMatch(/^0\.1\.0-[0-9a-f]{8}$/);
    portA = suite.ports['api-gateway']!;
    await withDb(async (c) => {
      await c.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
      await c.query("INSERT INTO notes (body) VALUES ('a1'), ('a2'), ('a3')");
    });
    // the running containers carry the release label
    const list = await docker.listContainers({ filters: { label: [`io.aisuite.project=${suite.project}`] } });
    expect(new Set(list.map((c) => c.Labels['io.aisuite.release']))).toEqual(new Set([tagA]));
  });

  it('a changed setting gives release B, recreating only the changed service', async () => {
    // Given a new host port for the gateway
    portB = (await freePorts(1))[0]!;
    suite.ports = { ...suite.ports, 'api-gateway': portB };
    await suite.writeConfig();
    const result = await suite.run(['up', ...BASE, '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const up = json<UpResult>(result);
    tagB = up.release!;
    expect(tagB).not.toBe(tagA);
    expect(up.plan.filter((e) => e.action !== 'keep').map((e) => e.service)).toEqual(['api-gateway']);
    await withDb((c) => c.query("INSERT INTO notes (body) VALUES ('b1'), ('b2')"));

    const list = json<ReleasesResult>(await suite.run(['releases', '--json']));
    expect(list.current).toBe(tagB);
    expect(list.releases.map((r) => r.tag)).toEqual([tagB, tagA]);
  });

  it('rollback to A restores its configs, keeps unchanged containers, and leaves the data alone', async () => {
    const before = await containerIds();
    // When rolling back to A (B's config file is still in place: rollback uses A's record, not the config)
    const result = await suite.run(['rollback', tagA, '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const rb = json<RollbackResult>(result);
    expect(rb).toMatchObject({ from: tagB, to: tagA, status: 'rolled-back' });
    expect(String(result.stderr)).toContain('volumes and databases are not touched');
    // Then only the gateway was recreated, the others kept their containers
    expect(rb.services.filter((s) => s.action !== 'keep').map((s) => s.name)).toEqual(['api-gateway']);
    const after = await containerIds();
    for (const svc of ['inference-chat', 'inference-code', 'postgres'])
      expect(after[svc], svc).toBe(before[svc]);
    expect(after['api-gateway']).not.toBe(before['api-gateway']);
    // the gateway is back on A's port, B's port is closed
    expect((await fetch(`http://127.0.0.1:${portA}/readyz`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${portB}/readyz`)).rejects.toThrow();
    // rows written before the rollback (under A and under B) are all still there
    expect(await countNotes()).toBe(5);
    const list = json<ReleasesResult>(await suite.run(['releases', '--json']));
    expect(list.current).toBe(tagA);
    const audit = await readAudit(suite.project, { env: env() });
    expect(audit.entries.at(-1)).toMatchObject({ action: 'rollback', result: 'ok', tag: tagA, from: tagB });
  });

  it('rollback to a nonexistent tag or to a release whose image is gone changes nothing and exits 2', async () => {
    const before = await containerIds();
    const missing = await suite.run(['rollback', 'no-such-tag']);
    expect(missing.exitCode).toBe(2);
    expect(String(missing.stderr)).toContain('has no release "no-such-tag"');

    // Given a release that names an image no longer on the engine
    const read = await readRelease(suite.project, tagB, env());
    if (!read?.ok) throw new Error('release B unreadable');
    const goneId = `sha256:${'0'.repeat(64)}`;
    await writeRelease(
      {
        ...read.record,
        tag: 'gone',
        images: read.record.images.map((i) =>
          i.services.includes('api-gateway') ? { ...i, id: goneId } : i,
        ),
      },
      env(),
    );
    const gone = await suite.run(['rollback', 'gone']);
    expect(gone.exitCode).toBe(2);
    expect(String(gone.stderr)).toMatch(/release gone cannot be applied: 1 image\(s\) it needs are gone/);
    expect(String(gone.stderr)).toContain('Nothing was changed');
    expect(await containerIds()).toEqual(before);
    expect(json<ReleasesResult>(await suite.run(['releases', '--json'])).current).toBe(tagA);
    await fs.rm(path.join(suite.env.AISUITE_STATE_DIR!, suite.project, 'releases', 'gone.json'));
  });

  it('two up runs at once: one waits for the other; while a lock is held, up fails with the holder', async () => {
    // Given the test holding the project lock, up without waiting fails with exit 5 naming this process
    const handle = await acquireLock(suite.project, 'rollback', { env: env() });
    const blocked = await suite.run(['up', ...BASE, '--json']);
    await handle.release();
    expect(blocked.exitCode).toBe(5);
    expect(json<{ error: { message: string } }>(blocked).error.message).toContain(
      `pid ${process.pid} running \`aisuite rollback\``,
    );
    // Two real runs at once with --lock-wait: both succeed one after the other, the state stays readable
    const [one, two] = await Promise.all([
      suite.run(['up', ...BASE, '--json', '--lock-wait', '300']),
      suite.run(['up', ...BASE, '--json', '--lock-wait', '300']),
    ]);
    expect([one.exitCode, two.exitCode], `${String(one.stderr)}\n${String(two.stderr)}`).toEqual([0, 0]);
    const list = json<ReleasesResult>(await suite.run(['releases', '--json', '--audit']));
    expect(list.corrupt).toEqual([]);
    const ups = (list.audit ?? []).filter((e) => e.action === 'up').slice(-2);
    expect(ups).toHaveLength(2);
    expect(ups[0]!.pid).not.toBe(ups[1]!.pid);
  });

  it('a release that fails to come up is reverted with --rollback-on-failure', async () => {
    // Given the current release A and a change whose inference-code exits at once
    const current = json<ReleasesResult>(await suite.run(['releases', '--json'])).current;
    const result = await suite.run([
      'up',
      ...BASE,
      '--image',
      `inference-code=${E2E_IMAGES.crasher}`,
      '--rollback-on-failure',
      '--wait-timeout',
      '60',
    ]);
    // Then up fails, says it returned to the previous release, and the suite runs that release again
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain(`returned to the previous release ${current}`);
    const list = json<ReleasesResult>(await suite.run(['releases', '--json', '--audit']));
    expect(list.current).toBe(current);
    expect(list.releases[1]).toMatchObject({ status: 'failed' });
    expect(list.audit?.at(-1)).toMatchObject({ action: 'auto-revert', result: 'ok', tag: current });
    const running = await docker.listContainers({
      filters: { label: [`io.aisuite.project=${suite.project}`] },
    });
    const code = running.find((c) => c.Labels['io.aisuite.service'] === 'inference-code');
    expect(code?.Image).toMatch(/^aisuite\/services:/);
    expect(code?.Labels['io.aisuite.release']).toBe(current);
    expect(await countNotes()).toBe(5);
  });

  it('down takes the lock and writes an audit line', async () => {
    const result = await suite.run(['down', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const audit = await readAudit(suite.project, { env: env() });
    expect(audit.entries.at(-1)).toMatchObject({ action: 'down', result: 'ok' });
  });
});

describe("metrics against the suite's own Prometheus (stand-in) after traffic", () => {
  const mon = new TestSuite(inject('e2e'));
  beforeAll(async () => {
    // a scrape every 5 s: the numbers show sooner
    await mon.init({ prometheus: { scrapeIntervalSeconds: 5 } });
  });
  afterAll(async () => {
    await mon.cleanup();
    await assertNoLeftovers(mon.project);
  });

  it('returns non-empty numbers for every package service, and n/a (not an error) without cAdvisor', async () => {
    // Given phase 1 with Prometheus only (the rest of monitoring left out to keep the run lean)
    const without = 'alertmanager,node-exporter,grafana,loki,alloy,cadvisor';
    const up = await mon.run([
      'up',
      '--phase',
      '1',
      '--cpu',
      '--monitoring',
      '--without',
      without,
      '--pull',
      'never',
    ]);
    expect(up.exitCode, String(up.stderr)).toBe(0);
    // When traffic goes through the gateway (plain and streamed, so TTFT has samples)
    const secrets = await fs.readFile(
      path.join(mon.env.AISUITE_STATE_DIR!, mon.project, 'secrets.env'),
      'utf8',
    );
    const key = /^GATEWAY_API_KEY=(.*)$/m.exec(secrets)?.[1];
    const gateway = `http://127.0.0.1:${mon.ports['api-gateway']}`;
    const send = (stream: boolean, content: string, model = 'chat') =>
      fetch(`${gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content }] }),
      }).then(async (r) => {
        await r.text();
        return r.status;
      });
    let last = '';
    type Doc = {
      services: {
        service: string;
        requestsPerSecond: number | null;
        up: number | null;
        cpuCores: number | null;
        resourceSource: string | null;
        inference?: { tokensPerSecond: number | null };
      }[];
    };
    let doc: Doc | undefined;
    const deadline = Date.now() + 180_000;
    // Then within a few scrape intervals `metrics` shows numbers for every package service
    for (;;) {
      const statuses = await Promise.all([
        send(false, 'hello'),
        send(true, 'hi there'),
        send(false, 'def f(): pass', 'code'),
      ]);
      expect(statuses).toEqual([200, 200, 200]);
      // the Prometheus URL comes from the project's aisuite.yaml (bind address and port)
      const run = await mon.run(['metrics', '--since', '2m', '--json']);
      last = String(run.stderr);
      if (run.exitCode === 0) {
        doc = json<Doc>(run);
        const row = (name: string) => doc!.services.find((s) => s.service === name);
        const ready = ['api-gateway', 'inference-chat', 'inference-code'].every(
          (name) => (row(name)?.requestsPerSecond ?? 0) > 0,
        );
        if (ready && (row('inference-chat')?.inference?.tokensPerSecond ?? 0) > 0) break;
      }
      if (Date.now() > deadline) throw new Error(`no numbers after 180s: ${JSON.stringify(doc)} ${last}`);
      await new Promise((r) => setTimeout(r, 5000));
    }
    for (const name of ['api-gateway', 'inference-chat', 'inference-code', 'prometheus']) {
      const row = doc.services.find((s) => s.service === name);
      expect(row?.up, name).toBe(1);
    }
    for (const name of ['api-gateway', 'inference-chat', 'inference-code']) {
      const row = doc.services.find((s) => s.service === name)!;
      expect(row.cpuCores, name).not.toBeNull();
      expect(row.resourceSource, name).toBe('process'); // cAdvisor left out
    }
  });
});
