/**
 * The gateway in front of the real embedding service (hashing backend) for `/v1/embeddings`, and a
 * graceful shutdown of the gateway with a stream in flight.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process.js';
import { API_KEY, mockEnv } from './harness.js';

let embedding: ServiceProcess;
let chat: ServiceProcess;
let gateway: ServiceProcess;
let client: OpenAI;
beforeAll(async () => {
  [embedding, chat] = await Promise.all([
    startServiceProcess('embedding', { env: { EMBEDDING_BACKEND: 'hashing', LOG_LEVEL: 'warn' } }),
    startServiceProcess('mock-inference', { env: mockEnv('mock-chat', { MOCK_ITL: '20ms' }) }),
  ]);
  gateway = await startServiceProcess('api-gateway', {
    env: {
      GATEWAY_API_KEY: API_KEY,
      CHAT_BACKEND_URL: chat.url,
      CODE_BACKEND_URL: chat.url,
      EMBEDDING_URL: embedding.url,
      HEALTH_CHECK_INTERVAL: '200ms',
      LOG_LEVEL: 'info',
    },
  });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: API_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), chat?.kill(), embedding?.kill()]);
});

describe('gateway /v1/embeddings passthrough', () => {
  it('returns the embedding service answer and reports it in /health as a soft dependency', async () => {
    const { data: r, response } = await client.embeddings
      .create({ model: 'bge', input: ['hello world', 'second text'] })
      .withResponse();
    expect(response.headers.get('x-aisuite-backend')).toBe('embedding');
    expect(Number(response.headers.get('x-aisuite-overhead-ms'))).toBeGreaterThan(0);
    expect(r.data).toHaveLength(2);
    expect(r.data[0]?.embedding).toHaveLength(384);
    const h = (await (await fetch(`${gateway.url}/health`)).json()) as {
      checks: Record<string, { state: string; hard: boolean }>;
    };
    expect(h.checks.embedding).toMatchObject({ state: 'up', hard: false });
  });

  it('answers 503 with Retry-After when the embedding service is gone, and stays ready for chat', async () => {
    await embedding.kill();
    const r = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bge', input: 'x' }),
    });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(((await r.json()) as { error: { type: string } }).error.type).toBe('unavailable_error');
    await new Promise((res) => setTimeout(res, 400));
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
  });
});

describe('gateway graceful shutdown', () => {
  it('finishes a stream in flight on SIGTERM, refuses new work, then exits 0', async () => {
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 40,
      stream: true,
    });
    const it1 = stream[Symbol.asyncIterator]();
    await it1.next(); // the stream is committed and flowing
    const exit = gateway.stop();
    await new Promise((r) => setTimeout(r, 100)); // the signal is handled; the stream still runs
    const late = await fetch(`${gateway.url}/v1/models`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    }).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    let rest = 0;
    for (let r = await it1.next(); !r.done; r = await it1.next()) rest++;
    expect(rest).toBeGreaterThan(3);
    expect(await exit).toBe(0);
    const logs = gateway.logs();
    expect(logs.some((l) => l.msg === 'shutting down')).toBe(true);
    expect(
      logs.some((l) => l.msg === 'request' && l.url === '/v1/chat/completions' && l.status === 200),
    ).toBe(true);
    expect(gateway.lines().join('\n')).not.toContain(API_KEY);
  });
});
