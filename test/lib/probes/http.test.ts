import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe, systemClock, type HttpProbeSpec } from '../../../src/lib/probes/index.js';
import { freePort, startServer } from './support.js';

let server: Awaited<ReturnType<typeof startServer>>;
const ctx = (ms = 5000) => ({ signal: AbortSignal.timeout(ms), clock: systemClock });
const run = (spec: Omit<HttpProbeSpec, 'kind'>, ms?: number) =>
  createProbe({ kind: 'http', ...spec }).run(ctx(ms));

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/health') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', checks: { db: { state: 'up' }, cache: { state: 'down' } } }));
    } else if (url === '/targets') {
      res.end(
        JSON.stringify({ data: { activeTargets: [{ health: 'up' }, { health: 'down', job: 'rag' }] } }),
      );
    } else if (url === '/slow') {
      setTimeout(() => res.end('{}'), 300);
    } else if (url === '/echo' && req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () =>
        res.end(JSON.stringify({ auth: req.headers.authorization, body: JSON.parse(body) })),
      );
    } else {
      res.statusCode = 503;
      res.end('{"error":{"message":"loading model"}}');
    }
  });
});
afterAll(() => server.close());

describe('http probe against a local server', () => {
  it('passes on 2xx and JSON path assertions', async () => {
    const outcome = await run({
      url: `${server.url}/health`,
      json: [
        { path: 'status', equals: 'ok' },
        { path: 'checks.db.state', oneOf: ['up'] },
      ],
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.message).toMatch(/^HTTP 200 in \d+ ms$/);
  });

  it('names the failing JSON path and value', async () => {
    const outcome = await run({
      url: `${server.url}/health`,
      json: [{ path: 'checks.cache.state', equals: 'up' }],
    });
    expect(outcome).toMatchObject({ ok: false, message: 'checks.cache.state is "down", expected "up"' });
  });

  it('checks every item of a wildcard path', async () => {
    const outcome = await run({
      url: `${server.url}/targets`,
      json: [{ path: 'data.activeTargets[*].health', equals: 'up' }],
    });
    expect(outcome).toMatchObject({
      ok: false,
      message: 'data.activeTargets[*].health: 1 of 2 fail (item 1 is "down", expected "up")',
    });
  });

  it('fails on an unexpected status and shows the body', async () => {
    const outcome = await run({ url: `${server.url}/other` });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toBe('HTTP 503 (expected 2xx): {"error":{"message":"loading model"}}');
    expect((await run({ url: `${server.url}/other`, expectStatus: [503] })).ok).toBe(true);
  });

  it('enforces the latency bound', async () => {
    const outcome = await run({ url: `${server.url}/slow`, maxLatencyMs: 100 });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/^took \d+ ms \(bound 100 ms\)$/);
  });

  it('times out through the signal', async () => {
    const outcome = await run({ url: `${server.url}/slow` }, 50);
    expect(outcome).toMatchObject({ ok: false, message: `GET ${server.url}/slow: timed out` });
  });

  it('sends a JSON body and headers', async () => {
    const outcome = await run({
      url: `${server.url}/echo`,
      headers: { authorization: 'Bearer t0ken' },
      body: { model: 'chat' },
      json: [
        { path: 'auth', equals: 'Bearer t0ken' },
        { path: 'body.model', equals: 'chat' },
      ],
    });
    expect(outcome.ok).toBe(true);
  });

  it('reports a refused connection', async () => {
    const port = await freePort();
    const outcome = await run({ url: `http://127.0.0.1:${port}/health` });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('ECONNREFUSED');
  });
});
