import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, createService, type Check, type Service } from '../../../src/services/kit/index.js';

const started: Service[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function boot(
  configure?: (s: Service) => void,
  opts: Partial<Parameters<typeof createService>[0]> = {},
) {
  const s = createService({
    name: 'kit-test',
    version: '0.0.0',
    port: 0,
    logLevel: 'silent',
    bodyLimit: 1024,
    ...opts,
  });
  configure?.(s);
  started.push(s);
  const url = await s.listen();
  return { s, url };
}

describe('service kit', () => {
  it('serves livez always and readyz 503 until ready', async () => {
    const { s, url } = await boot();
    expect((await fetch(`${url}/livez`)).status).toBe(200);
    const r = await fetch(`${url}/readyz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'loading' });
    s.setReady('ready');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('answers readyz from cached checks: a hard dependency down is 503, a soft one only degrades health', async () => {
    let hardUp = true;
    let db: Check | undefined;
    const { s, url } = await boot((svc) => {
      db = svc.addCheck({
        name: 'db',
        hard: true,
        intervalMs: 60_000,
        timeoutMs: 500,
        run: async () => (hardUp ? 'up' : 'down'),
      });
      svc.addCheck({
        name: 'cache',
        hard: false,
        intervalMs: 60_000,
        timeoutMs: 50,
        run: () => new Promise(() => undefined), // never answers: must time out, not hang /health
      });
    });
    s.setReady('ready');
    await new Promise((r) => setTimeout(r, 120));
    const h = await fetch(`${url}/health`);
    expect(h.status).toBe(200);
    const body = (await h.json()) as {
      status: string;
      checks: Record<string, { state: string; error?: string }>;
    };
    expect(body.status).toBe('degraded');
    expect(body.checks.db?.state).toBe('up');
    expect(body.checks.cache).toMatchObject({ state: 'down', error: 'timed out after 50ms' });
    hardUp = false;
    // Given the dependency went down, readiness follows only after the next background check.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect([...s.checks().keys()]).toEqual(['db', 'cache']);
    await db?.runNow(); // the next background round, without waiting a full interval
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect(((await (await fetch(`${url}/health`)).json()) as { status: string }).status).toBe('down');
  });

  it('uses the OpenAI error envelope for 404, malformed JSON, too large, validation and thrown errors', async () => {
    const { url } = await boot((s) => {
      s.app.post('/echo', { schema: { body: { type: 'object', required: ['x'] } } }, async (req) => req.body);
      s.app.get('/teapot', async () => {
        throw new HttpError(429, 'slow down', { code: 'rate_limited', headers: { 'retry-after': '3' } });
      });
      s.app.get('/boom', async () => {
        throw new Error('secret internals');
      });
    });
    const post = (body: string) =>
      fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const cases: Array<[Promise<Response>, number, string]> = [
      [fetch(`${url}/nope`), 404, 'not_found_error'],
      [post('{bad'), 400, 'invalid_request_error'],
      [post(JSON.stringify({ x: 'a'.repeat(2000) })), 413, 'invalid_request_error'],
      [post('{}'), 400, 'invalid_request_error'],
      [fetch(`${url}/teapot`), 429, 'rate_limit_error'],
      [fetch(`${url}/boom`), 500, 'server_error'],
    ];
    for (const [p, status, type] of cases) {
      const r = await p;
      const body = (await r.json()) as { error: { message: string; type: string; code: unknown } };
      expect({ status: r.status, type: body.error.type }).toEqual({ status, type });
      expect(typeof body.error.message).toBe('string');
      expect('code' in body.error).toBe(true);
      expect(r.headers.get('x-request-id')).toBeTruthy();
    }
    const r = await fetch(`${url}/teapot`);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(JSON.stringify(await (await fetch(`${url}/boom`)).json())).not.toContain('secret internals');
  });

  it('echoes an incoming x-request-id and generates one otherwise', async () => {
    const { url } = await boot();
    const a = await fetch(`${url}/livez`, { headers: { 'x-request-id': 'abc-123' } });
    expect(a.headers.get('x-request-id')).toBe('abc-123');
    const b = await fetch(`${url}/livez`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exports default process metrics and the standard HTTP metrics by route template', async () => {
    const { s, url } = await boot((svc) => svc.app.get('/items/:id', async () => ({ ok: true })));
    await fetch(`${url}/items/1`);
    await fetch(`${url}/items/2`);
    await fetch(`${url}/missing`);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('http_requests_total{method="GET",route="/items/:id",status_code="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status_code="404"} 1');
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.001",method="GET",route="\/items\/:id"/,
    );
    expect(s.registry.getSingleMetric('http_request_duration_seconds')).toBeDefined();
  });

  it('lets an in-flight request finish on close, and refuses new connections', async () => {
    const { s, url } = await boot((svc) =>
      svc.app.get('/slow', async () => {
        await new Promise((r) => setTimeout(r, 300));
        return { done: true };
      }),
    );
    s.setReady('ready');
    const inflight = fetch(`${url}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const closed = s.close();
    expect(await inflight).toEqual({ done: true });
    await closed;
    await expect(fetch(`${url}/livez`)).rejects.toThrow();
  });

  it('closes remaining connections after the grace period', async () => {
    const { s, url } = await boot(
      (svc) =>
        svc.app.get('/hang', async () => {
          await new Promise((r) => setTimeout(r, 5_000));
          return {};
        }),
      { shutdownGraceMs: 100 },
    );
    const hung = fetch(`${url}/hang`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(await hung).toBe('cut');
  });
});
