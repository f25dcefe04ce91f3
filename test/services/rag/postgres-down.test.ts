/**
 * Postgres going away under a running rag: requests answer 503 postgres_unavailable with
 * Retry-After (not 500), /readyz turns 503 (Postgres is rag's hard dependency), and the process
 * keeps running.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '../../support/service-process.js';
import { eventually, metric, post, startRagBed, type RagBed } from './harness.js';

let bed: RagBed;
let rag: ServiceProcess;

beforeAll(async () => {
  bed = await startRagBed();
  rag = await bed.startRag({ HEALTH_CHECK_INTERVAL: '200ms' });
  const r = await post(`${rag.url}/index`, {
    collection: 'c',
    documents: [{ id: 'a', text: 'before the outage' }],
  });
  expect(r.status).toBe(200);
});

afterAll(async () => {
  await bed?.stop();
});

describe('rag with Postgres down', () => {
  it('answers 503 with Retry-After, turns unready, and keeps running', async () => {
    // Given a working rag, when its Postgres container stops
    await new Docker().getContainer(bed.postgres.containerId).stop({ t: 2 });
    // Then queries and indexing answer 503 postgres_unavailable with Retry-After
    const q = await post(`${rag.url}/query`, { collection: 'c', query: 'outage', answer: false });
    expect(q.status).toBe(503);
    expect(q.headers.get('retry-after')).toBe('5');
    expect(q.json.error).toMatchObject({ code: 'postgres_unavailable', type: 'unavailable_error' });
    const i = await post(`${rag.url}/index`, { collection: 'c', documents: [{ id: 'b', text: 'lost?' }] });
    expect(i.status).toBe(503);
    const list = await fetch(`${rag.url}/collections`);
    expect(list.status).toBe(503);
    await list.arrayBuffer();
    expect(
      await metric(rag.url, 'rag_dependency_errors_total{dependency="postgres"}'),
    ).toBeGreaterThanOrEqual(2);
    // and readiness follows the hard dependency, while the process stays up
    await eventually(async () => (await fetch(`${rag.url}/readyz`)).status === 503);
    const h = (await (await fetch(`${rag.url}/health`)).json()) as {
      checks: { postgres: { state: string } };
    };
    expect(h.checks.postgres.state).toBe('down');
    expect(rag.child.exitCode).toBeNull();
  });
});
