/**
 * No data lost: a document indexed through rag before the `rag` and `postgres` containers restart
 * is still found after, and after a rotation of the Postgres password, in the CPU-profile phase 2
 * suite on a real engine (stand-in images).
 */
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { UpResult } from '../../src/commands/up.js';
import { SCHEMA_VERSION } from '../../src/services/rag/migrations.js';
import { assertNoLeftovers } from '../support/docker-leftovers.js';
import { json, TestSuite } from './support/suite.js';

const docker = new Docker();
const suite = new TestSuite(inject('e2e'));

beforeAll(async () => {
  await suite.init();
});

afterAll(async () => {
  await suite.cleanup();
  await assertNoLeftovers(suite.project);
});

async function container(service: string): Promise<Docker.Container> {
  const [c] = await docker.listContainers({
    all: true,
    filters: { label: [`io.aisuite.project=${suite.project}`, `io.aisuite.service=${service}`] },
  });
  if (!c) throw new Error(`no container for ${service}`);
  return docker.getContainer(c.Id);
}

async function until(url: string, status: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await r.arrayBuffer();
      if (r.status === status) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs}ms (last: ${last})`);
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

describe('rag data across container restarts (phase 2, CPU profile)', () => {
  it('finds a document indexed before rag and postgres restarted', async () => {
    // Given phase 2 up (inference mocks, gateway, embedding, rag, postgres)
    const result = await suite.run(['up', '--phase', '2', '--cpu', '--pull', 'never', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const up = json<UpResult>(result);
    expect(up.services.map((s) => s.name)).toEqual(expect.arrayContaining(['rag', 'postgres', 'embedding']));
    const rag = `http://127.0.0.1:${suite.ports.rag}`;
    await until(`${rag}/readyz`, 200);

    // and a document indexed through rag
    const indexed = await post(`${rag}/index`, {
      collection: 'keep',
      documents: [
        { id: 'glaciers', text: 'Glaciers are rivers of ice that carve valleys as they slowly move.' },
      ],
    });
    expect(indexed.status, JSON.stringify(indexed.json)).toBe(200);

    // When postgres and rag restart
    const pg = await container('postgres');
    const ragC = await container('rag');
    await pg.restart({ t: 10 });
    await ragC.restart({ t: 10 });
    expect((await pg.inspect()).State.Running).toBe(true);
    await until(`${rag}/readyz`, 200);

    // Then the document is still found, and the schema was not migrated twice
    const q = await post(`${rag}/query`, {
      collection: 'keep',
      query: 'glaciers of ice',
      top_k: 1,
      answer: false,
    });
    expect(q.status, JSON.stringify(q.json)).toBe(200);
    expect((q.json.chunks as Array<{ document_id: string }>)[0]?.document_id).toBe('glaciers');
    const health = (await (await fetch(`${rag}/health`)).json()) as { schemaVersion: number };
    // the restarted rag found every migration applied (none re-run, none missing)
    expect(health.schemaVersion).toBe(SCHEMA_VERSION);
  });

  it('rotates the Postgres password: the database takes it, up recreates its users, the data stays', async () => {
    const password = async () =>
      String((await suite.run(['secrets', 'get', 'postgres-password'])).stdout).trim();
    /** A login from the host through the published port (password authentication, as rag's). */
    const login = async (pw: string): Promise<string> => {
      const client = new pg.Client({
        host: '127.0.0.1',
        port: suite.ports.postgres,
        user: 'aisuite',
        database: 'aisuite',
        password: pw,
      });
      try {
        await client.connect();
        return 'ok';
      } catch (e) {
        return (e as { code?: string }).code ?? (e as Error).message;
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    const old = await password();
    expect(await login(old)).toBe('ok');
    // When the password is rotated
    const rotate = await suite.run(['secrets', 'rotate', 'postgres-password', '--json']);
    expect(rotate.exitCode, String(rotate.stderr)).toBe(0);
    expect(json<{ database: string; services: string[] }>(rotate)).toMatchObject({
      database: 'altered',
      services: ['postgres', 'rag'],
    });
    // Then the database takes only the new one (28P01: password authentication failed)
    const fresh = await password();
    expect(fresh).not.toBe(old);
    expect(await login(old)).toBe('28P01');
    expect(await login(fresh)).toBe('ok');
    // and up recreates postgres and rag, which connects with it; the document indexed before is found
    const result = await suite.run(['up', '--pull', 'never', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const recreated = json<UpResult>(result)
      .plan.filter((e) => e.action === 'recreate')
      .map((e) => e.service);
    expect(recreated).toEqual(['postgres', 'rag']);
    const rag = `http://127.0.0.1:${suite.ports.rag}`;
    const q = await post(`${rag}/query`, { collection: 'keep', query: 'glaciers of ice', answer: false });
    expect(q.status, JSON.stringify(q.json)).toBe(200);
    expect((q.json.chunks as Array<{ document_id: string }>)[0]?.document_id).toBe('glaciers');
  });
});
