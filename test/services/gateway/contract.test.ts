/**
 * Contract tests with the official `openai` client against the gateway, in front of two real
 * mock-inference processes (chat and code). Also the gateway's acceptance scenarios.
 */
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, metric, setFaults, startSuite, type Suite } from './harness.js';

let s: Suite;
beforeAll(async () => {
  s = await startSuite({ chatEnv: { MOCK_ITL: '15ms' }, codeEnv: { MOCK_ITL: '0ms' } });
});
afterAll(async () => {
  await s?.stop();
});

const hello = [{ role: 'user' as const, content: 'Tell me about the suite.' }];

describe('gateway contract (openai client)', () => {
  it('acceptance: /health is 200 with every dependency state', async () => {
    const r = await fetch(`${s.gateway.url}/health`);
    expect(r.status).toBe(200);
    const h = (await r.json()) as {
      status: string;
      checks: Record<string, { state: string }>;
      backends: Record<string, { state: string; url: string }>;
    };
    expect(h.status).toBe('ok');
    expect(h.checks.chat?.state).toBe('up');
    expect(h.checks.code?.state).toBe('up');
    expect(h.backends).toMatchObject({
      chat: { state: 'healthy', url: s.chat.url },
      code: { state: 'healthy', url: s.code.url },
    });
  });

  it('acceptance: a chat request is served by the chat model, with usage and routing headers', async () => {
    const { data, response } = await s.client.chat.completions
      .create({ model: 'chat', messages: hello, max_tokens: 8 }, { headers: { 'x-request-id': 'trace-abc' } })
      .withResponse();
    expect(data.model).toBe('mock-chat');
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBe(
      (data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0),
    );
    expect(response.headers.get('x-aisuite-backend')).toBe('chat');
    expect(response.headers.get('x-aisuite-retries')).toBe('0');
    expect(response.headers.get('x-aisuite-fallbacks')).toBe('0');
    expect(Number(response.headers.get('x-aisuite-overhead-ms'))).toBeGreaterThan(0);
    expect(response.headers.get('x-request-id')).toBe('trace-abc');
  });

  it('acceptance: a code request is served by the code model', async () => {
    const { data, response } = await s.client.chat.completions
      .create({ model: 'code', messages: [{ role: 'user', content: 'sort a list' }], max_tokens: 8 })
      .withResponse();
    expect(data.model).toBe('mock-code');
    expect(response.headers.get('x-aisuite-backend')).toBe('code');
  });

  it('routes a chat request whose last user message looks like code to the code group', async () => {
    const { data, response } = await s.client.chat.completions
      .create({
        model: 'chat',
        messages: [{ role: 'user', content: 'Why does this fail?\n```\nconst x = f(;\n```' }],
        max_tokens: 4,
      })
      .withResponse();
    expect(data.model).toBe('mock-code');
    expect(response.headers.get('x-aisuite-route-reason')).toBe('code-pattern');
    expect(response.headers.get('x-aisuite-model-group')).toBe('code');
  });

  it('streams chunks incrementally, with a final usage chunk', async () => {
    const t0 = Date.now();
    const { data: stream, response } = await s.client.chat.completions
      .create({
        model: 'chat',
        messages: hello,
        max_tokens: 12,
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-aisuite-backend')).toBe('chat');
    const arrivals: number[] = [];
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      arrivals.push(Date.now() - t0);
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    const tokens = text.split(' ').length;
    expect(usage?.completion_tokens).toBe(tokens);
    // 15 ms between tokens upstream: chunks must not arrive as one burst at the end.
    const spread = (arrivals[tokens - 1] ?? 0) - (arrivals[0] ?? 0);
    expect(spread).toBeGreaterThanOrEqual(10 * (tokens - 1));
    expect(
      await metric(s.gateway.url, 'gateway_time_to_first_token_seconds_count', {
        model_group: 'chat',
        backend: 'chat',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('relays a large stream to a slow reader completely (backpressure pauses the upstream)', async () => {
    const res = await fetch(`${s.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'code', messages: hello, max_tokens: 6000, seed: 1, stream: true }),
    });
    // Given a client that reads nothing for a while (about 1 MB of events queue up)
    await new Promise((r) => setTimeout(r, 700));
    const text = await res.text();
    // Then every event arrives, in order, ending with [DONE]
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = text.split('\n\n').filter(Boolean);
    expect(events.length).toBeGreaterThan(3000);
    expect(text).not.toContain('"error"');
  });

  it('serves /v1/completions and /v1/models', async () => {
    const c = await s.client.completions.create({ model: 'code', prompt: 'def add(a, b):', max_tokens: 5 });
    expect(c.model).toBe('mock-code');
    expect(c.choices[0]?.text.length).toBeGreaterThan(0);
    const models = await s.client.models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(['chat', 'code']);
  });

  it('exports the gateway metrics for the requests it served', async () => {
    const u = s.gateway.url;
    expect(
      await metric(u, 'gateway_requests_total', { model_group: 'chat', backend: 'chat', status: '200' }),
    ).toBeGreaterThan(0);
    expect(
      await metric(u, 'gateway_requests_total', { model_group: 'code', backend: 'code', status: '200' }),
    ).toBeGreaterThan(0);
    expect(await metric(u, 'gateway_overhead_seconds_count', { model_group: 'chat' })).toBeGreaterThan(0);
    expect(await metric(u, 'gateway_upstream_duration_seconds_count', { backend: 'code' })).toBeGreaterThan(
      0,
    );
    expect(
      await metric(u, 'gateway_request_duration_seconds_count', { model_group: 'chat' }),
    ).toBeGreaterThan(0);
    expect(await metric(u, 'gateway_backend_state', { backend: 'chat' })).toBe(0);
    const text = await (await fetch(`${u}/metrics`)).text();
    expect(text).toContain(
      'http_requests_total{method="POST",route="/v1/chat/completions",status_code="200"}',
    );
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('surfaces errors as the client APIError with status and envelope', async () => {
    const bad = new OpenAI({ baseURL: `${s.gateway.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    const e401 = await bad.chat.completions
      .create({ model: 'chat', messages: hello })
      .catch((e: unknown) => e);
    expect(e401).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((e401 as APIError).status).toBe(401);
    expect((e401 as APIError).code).toBe('invalid_api_key');
    const e404 = await s.client.chat.completions
      .create({ model: 'gpt-9', messages: hello })
      .catch((e: unknown) => e);
    expect(e404).toBeInstanceOf(OpenAI.NotFoundError);
    expect((e404 as APIError).code).toBe('model_not_found');
    const e400 = await s.client.chat.completions
      .create({ model: 'chat', messages: [] })
      .catch((e: unknown) => e);
    expect(e400).toBeInstanceOf(OpenAI.BadRequestError);
    expect((e400 as APIError).param).toBe('messages');
  });

  it('honours Retry-After: the client waits before retrying a 429 and then succeeds', async () => {
    // Given both backends rate limit with Retry-After: 1
    await Promise.all([
      setFaults(s.chat, { rate: 1, type: '429' }),
      setFaults(s.code, { rate: 1, type: '429' }),
    ]);
    try {
      const raw = await fetch(`${s.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: hello }),
      });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toBe('1');
      // When the limit lifts while the client waits out Retry-After
      const retrying = new OpenAI({ baseURL: `${s.gateway.url}/v1`, apiKey: API_KEY, maxRetries: 2 });
      const t0 = Date.now();
      const lift = new Promise((r) => setTimeout(r, 300)).then(() =>
        Promise.all([setFaults(s.chat, { rate: 0 }), setFaults(s.code, { rate: 0 })]),
      );
      const res = await retrying.chat.completions.create({ model: 'chat', messages: hello, max_tokens: 3 });
      await lift;
      // Then it succeeded on a retry made no earlier than Retry-After
      expect(res.choices[0]?.message.content).toBeTruthy();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    } finally {
      await Promise.all([setFaults(s.chat, { rate: 0 }), setFaults(s.code, { rate: 0 })]);
    }
  });
});
