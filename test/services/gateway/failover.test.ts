/**
 * The failover matrix, against real processes: one gateway (retries 1, 400 ms timeout, short
 * cooldown) in front of chat and code mock-inference backends whose failures are injected.
 */
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, metric, setFaults, startSuite, waitAvailable, type Suite } from './harness.js';

let s: Suite;
beforeAll(async () => {
  s = await startSuite({
    gatewayEnv: {
      ROUTER_NUM_RETRIES: '1',
      ROUTER_TIMEOUT: '400ms',
      ROUTER_ALLOWED_FAILS: '6',
      ROUTER_COOLDOWN_TIME: '1s',
    },
    chatEnv: { MOCK_ITL: '10ms' },
  });
});
afterAll(async () => {
  await s?.stop();
});
beforeEach(async () => {
  await Promise.all([setFaults(s.chat, { rate: 0 }), setFaults(s.code, { rate: 0 })]);
  await waitAvailable(s.gateway.url);
});

const msgs = [{ role: 'user' as const, content: 'hello there' }];

function post(body: unknown): Promise<Response> {
  return fetch(`${s.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('gateway failover', () => {
  it('chat failing with 500: retries chat, then falls back to code', async () => {
    await setFaults(s.chat, { rate: 1, type: '500' });
    const before = await metric(s.gateway.url, 'gateway_fallbacks_total', { from: 'chat', to: 'code' });
    const { data, response } = await s.client.chat.completions
      .create({ model: 'chat', messages: msgs })
      .withResponse();
    expect(data.model).toBe('mock-code');
    expect(response.headers.get('x-aisuite-backend')).toBe('code');
    expect(response.headers.get('x-aisuite-retries')).toBe('1');
    expect(response.headers.get('x-aisuite-fallbacks')).toBe('1');
    expect(await metric(s.gateway.url, 'gateway_fallbacks_total', { from: 'chat', to: 'code' })).toBe(
      before + 1,
    );
    expect(
      await metric(s.gateway.url, 'gateway_request_failures_total', { backend: 'chat', reason: 'http_500' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await metric(s.gateway.url, 'gateway_retries_total', { model_group: 'chat', backend: 'chat' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('chat timing out: gives up after the router timeout and falls back to code', async () => {
    await setFaults(s.chat, { rate: 1, type: 'timeout' });
    const t0 = Date.now();
    const { data, response } = await s.client.chat.completions
      .create({ model: 'chat', messages: msgs })
      .withResponse();
    const took = Date.now() - t0;
    expect(data.model).toBe('mock-code');
    expect(response.headers.get('x-aisuite-fallbacks')).toBe('1');
    expect(took).toBeGreaterThanOrEqual(2 * 400 - 20); // first try + one retry, each cut at 400 ms
    expect(took).toBeLessThan(5_000);
    expect(
      await metric(s.gateway.url, 'gateway_request_failures_total', { backend: 'chat', reason: 'timeout' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('a failure after the first streamed byte ends the stream with an error event, without failover', async () => {
    // Given chat cuts the connection halfway through a stream
    await setFaults(s.chat, { rate: 1, type: 'drop' });
    const { data: stream, response } = await s.client.chat.completions
      .create({ model: 'chat', messages: msgs, max_tokens: 20, stream: true })
      .withResponse();
    expect(response.headers.get('x-aisuite-backend')).toBe('chat');
    let chunks = 0;
    const err = await (async () => {
      for await (const _ of stream) chunks++;
    })().catch((e: unknown) => e);
    // Then some tokens arrived, then the client raised an APIError from the in-stream error event
    expect(chunks).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toMatch(/failed mid-stream/);
    expect((err as APIError).code).toBe('upstream_stream_interrupted');
    expect(
      await metric(s.gateway.url, 'gateway_request_failures_total', {
        backend: 'chat',
        reason: 'stream_interrupted',
      }),
    ).toBeGreaterThanOrEqual(1);
    // And the raw stream has no [DONE] but an error event, and no code tokens were spliced in
    const raw = await (await post({ model: 'chat', messages: msgs, max_tokens: 20, stream: true })).text();
    expect(raw).not.toContain('[DONE]');
    expect(raw.trimEnd().split('\n\n').at(-1)).toMatch(/^data: \{"error":/);
    expect(raw).not.toContain('mock-code');
  });

  it('a stream whose backend fails before the first byte fails over to code', async () => {
    await setFaults(s.chat, { rate: 1, type: '500' });
    const stream = await s.client.chat.completions.create({
      model: 'chat',
      messages: msgs,
      max_tokens: 5,
      stream: true,
    });
    const models = new Set<string>();
    for await (const c of stream) models.add(c.model);
    expect([...models]).toEqual(['mock-code']);
  });

  it('chat backend down before the request: served by code', async () => {
    await s.chat.kill();
    try {
      const { data, response } = await s.client.chat.completions
        .create({ model: 'chat', messages: msgs })
        .withResponse();
      expect(data.model).toBe('mock-code');
      expect(response.headers.get('x-aisuite-fallbacks')).toBe('1');
      // and once the health check has seen it, /health says so and chat is skipped without trying
      await new Promise((r) => setTimeout(r, 450));
      const h = (await (await fetch(`${s.gateway.url}/health`)).json()) as {
        status: string;
        backends: Record<string, { state: string }>;
      };
      expect(h.status).toBe('degraded');
      expect(h.backends.chat?.state).toBe('down');
      expect(await metric(s.gateway.url, 'gateway_backend_state', { backend: 'chat' })).toBe(2);
      const again = await s.client.chat.completions.create({ model: 'chat', messages: msgs }).withResponse();
      expect(again.response.headers.get('x-aisuite-retries')).toBe('0');
      expect(again.data.model).toBe('mock-code');
    } finally {
      await s.restart('chat', { MOCK_ITL: '10ms' });
    }
  });

  it('both backends down: 503 with Retry-After in the OpenAI envelope', async () => {
    await Promise.all([
      setFaults(s.chat, { rate: 1, type: '500' }),
      setFaults(s.code, { rate: 1, type: '500' }),
    ]);
    const r = await post({ model: 'chat', messages: msgs });
    expect(r.status).toBe(503);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await r.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'unavailable_error', code: 'backends_unavailable' });
    expect(body.error.message).toContain('chat: http_500');
    const viaClient = await s.client.chat.completions
      .create({ model: 'code', messages: msgs })
      .catch((e: unknown) => e);
    expect(viaClient).toBeInstanceOf(OpenAI.InternalServerError);
    expect((viaClient as APIError).status).toBe(503);
    // A retrying client honours Retry-After and succeeds once a backend is back
    const retrying = new OpenAI({ baseURL: `${s.gateway.url}/v1`, apiKey: API_KEY, maxRetries: 1 });
    const t0 = Date.now();
    setTimeout(() => void setFaults(s.code, { rate: 0 }), 300);
    const ok = await retrying.chat.completions.create({ model: 'chat', messages: msgs, max_tokens: 2 });
    expect(ok.model).toBe('mock-code');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('a failing backend is cooled down, skipped, and serves again after the cooldown', async () => {
    // Given chat fails more than allowed_fails (6) times within a minute (2 attempts per request:
    // 4 requests, fewer when earlier tests' failures are still in the window; each is served by code)
    await setFaults(s.chat, { rate: 1, type: '500' });
    const cooldowns = () => metric(s.gateway.url, 'gateway_cooldowns_total', { backend: 'chat' });
    const before = await cooldowns();
    for (let i = 0; i < 4 && (await cooldowns()) === before; i++) {
      const r = await s.client.chat.completions.create({ model: 'chat', messages: msgs, max_tokens: 2 });
      expect(r.model).toBe('mock-code');
    }
    expect(await cooldowns()).toBe(before + 1);
    expect(await metric(s.gateway.url, 'gateway_backend_state', { backend: 'chat' })).toBe(2);
    // When chat is fixed, it still gets no traffic while cooling down
    await setFaults(s.chat, { rate: 0 });
    const during = await s.client.chat.completions
      .create({ model: 'chat', messages: msgs, max_tokens: 2 })
      .withResponse();
    expect(during.data.model).toBe('mock-code');
    expect(during.response.headers.get('x-aisuite-retries')).toBe('0');
    // Then after cooldown_time (1 s) chat serves again
    await new Promise((r) => setTimeout(r, 1_100));
    const after = await s.client.chat.completions
      .create({ model: 'chat', messages: msgs, max_tokens: 2 })
      .withResponse();
    expect(after.data.model).toBe('mock-chat');
    expect(after.response.headers.get('x-aisuite-fallbacks')).toBe('0');
  });
});
