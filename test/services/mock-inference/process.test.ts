import { afterAll, describe, expect, it } from 'vitest';
import {
  runServiceMain,
  startServiceProcess,
  stopAllServiceProcesses,
  waitFor,
} from '../../support/service-process.js';

afterAll(stopAllServiceProcesses);

describe('mock-inference as a process', () => {
  it('finishes an in-flight stream on SIGTERM, then exits 0', async () => {
    // Given a stream of 20 tokens at 25 ms each (~0.5 s)
    const svc = await startServiceProcess('mock-inference', { env: { MOCK_ITL: '25ms' } });
    const res = await fetch(`${svc.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'sigterm-test' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 20 }),
    });
    expect(res.headers.get('x-request-id')).toBe('sigterm-test');
    // When SIGTERM arrives mid-stream
    await new Promise((r) => setTimeout(r, 100));
    const code = svc.stop();
    // Then the stream still completes and the process exits cleanly
    const body = await res.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(await code).toBe(0);
    const logs = svc.logs();
    expect(logs.some((l) => l.msg === 'request' && l.request_id === 'sigterm-test' && l.status === 200)).toBe(
      true,
    );
    expect(logs.some((l) => l.msg === 'stopped')).toBe(true);
    // the signal is in the JSON shutdown line, and nothing else reaches the log stream as plain text
    expect(logs.find((l) => l.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
    expect(svc.lines().filter((l) => l.trim() !== '' && !l.startsWith('{'))).toEqual([]);
  });

  it('logs requests, not the probes polling it (debug level shows those; a failing /health is logged)', async () => {
    // a load time keeps /health at 503 ("loading") for the first requests
    const svc = await startServiceProcess('mock-inference', {
      env: { MOCK_LOAD_TIME: '2s' },
      waitReady: false,
    });
    const loading = await fetch(`${svc.url}/health`);
    expect(loading.status).toBe(503);
    await waitFor(`${svc.url}/readyz`, 200, 10_000, svc);
    for (const route of ['/health', '/readyz', '/livez', '/metrics', '/v1/models'])
      expect((await fetch(`${svc.url}${route}`)).status, route).toBe(200);
    await svc.stop();
    const logged = svc
      .logs()
      .filter((l) => l.msg === 'request')
      .map((l) => `${String(l.url)} ${String(l.status)}`);
    expect(logged).toEqual(['/health 503', '/v1/models 200']);

    const debug = await startServiceProcess('mock-inference', { env: { LOG_LEVEL: 'debug' } });
    await fetch(`${debug.url}/health`);
    await fetch(`${debug.url}/metrics`);
    await debug.stop();
    // (the start-up wait polled /readyz too)
    const probes = debug.logs().filter((l) => l.msg === 'request' && l.url !== '/readyz');
    expect(probes.map((l) => [l.url, l.level])).toEqual([
      ['/health', 'debug'],
      ['/metrics', 'debug'],
    ]);
  });

  it('stops with exit code 2 and a clear message on a bad variable', async () => {
    const r = await runServiceMain(['mock-inference'], { MOCK_FAILURE_TYPE: 'explode', MOCK_ITL: 'fast' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'MOCK_FAILURE_TYPE="explode": not a known value; allowed: one of 500, 429, timeout, drop',
    );
    expect(r.stderr).toContain('MOCK_ITL="fast": not a duration');
  });

  it('names the valid services for an unknown one (exit 2)', async () => {
    const r = await runServiceMain(['nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown service "nope"');
    expect(r.stderr).toMatch(/api-gateway.*mock-inference/);
  });
});
