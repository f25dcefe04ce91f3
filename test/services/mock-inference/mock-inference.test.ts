import OpenAI from 'openai';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/services/kit/index.js';
import { createMockInferenceMetrics, start } from '../../../src/services/mock-inference/index.js';

const running: RunningService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function mock(env: Record<string, string> = {}): Promise<{ url: string; client: OpenAI }> {
  const r = await start({ PORT: '0', LOG_LEVEL: 'silent', MOCK_ADMIN: 'true', ...env });
  running.push(r);
  return { url: r.url, client: new OpenAI({ baseURL: `${r.url}/v1`, apiKey: 'unused', maxRetries: 0 }) };
}

const ask = [{ role: 'user' as const, content: 'say something' }];

describe('mock-inference', () => {
  it('answers like llama.cpp while loading, then serves', async () => {
    const { url } = await mock({ MOCK_LOAD_TIME: '300ms', MODEL_NAME: 'mock-x' });
    const h = await fetch(`${url}/health`);
    expect(h.status).toBe(503);
    expect(await h.json()).toEqual({
      error: { code: 503, message: 'Loading model', type: 'unavailable_error' },
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/v1/models`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 400));
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((d) => d.id)).toEqual(['mock-x']);
  });

  it('is deterministic for a seed and prompt, and counts usage', async () => {
    const { client } = await mock({ MODEL_NAME: 'mock-chat' });
    const a = await client.chat.completions.create({ model: 'any', messages: ask, max_tokens: 10 });
    const b = await client.chat.completions.create({ model: 'any', messages: ask, max_tokens: 10 });
    const c = await client.chat.completions.create({ model: 'any', messages: ask, max_tokens: 10, seed: 7 });
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
    expect(c.choices[0]?.message.content).not.toBe(a.choices[0]?.message.content);
    expect(a.model).toBe('mock-chat');
    const words = a.choices[0]?.message.content?.split(' ') ?? [];
    expect(words.length).toBeGreaterThanOrEqual(5);
    expect(words.length).toBeLessThanOrEqual(10);
    expect(a.usage).toEqual({
      prompt_tokens: 3,
      completion_tokens: words.length,
      total_tokens: 3 + words.length,
    });
    expect(a.choices[0]?.finish_reason).toBe(words.length === 10 ? 'length' : 'stop');
  });

  it('streams chat chunks incrementally, then usage, then [DONE]', async () => {
    const { url, client } = await mock({ MOCK_TTFT: '50ms', MOCK_ITL: '20ms' });
    const t0 = Date.now();
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: ask,
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    const arrivals: number[] = [];
    let text = '';
    let usage: unknown;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      arrivals.push(Date.now() - t0);
      text += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    const n = text.split(' ').length;
    expect(arrivals.length).toBe(n + 2); // tokens + finish chunk + usage chunk
    expect(arrivals[0]).toBeGreaterThanOrEqual(45);
    // Incremental: the last token came well after the first (not one buffered burst).
    expect((arrivals[n - 1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(15 * (n - 1));
    expect(usage).toMatchObject({ completion_tokens: n });
    expect(finish).toMatch(/stop|length/);
    // Raw framing: SSE data lines ending with [DONE].
    const raw = await (
      await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: ask, stream: true, max_tokens: 2 }),
      })
    ).text();
    expect(raw.startsWith('data: {')).toBe(true);
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(raw).toContain('"object":"chat.completion.chunk"');
  });

  it('serves /v1/completions, streamed and not', async () => {
    const { client } = await mock({ MODEL_NAME: 'mock-code' });
    const r = await client.completions.create({ model: 'm', prompt: 'def add(a, b):', max_tokens: 6 });
    expect(r.object).toBe('text_completion');
    expect(r.choices[0]?.text.length).toBeGreaterThan(0);
    const s = await client.completions.create({
      model: 'm',
      prompt: 'def add(a, b):',
      max_tokens: 6,
      stream: true,
    });
    let text = '';
    for await (const c of s) text += c.choices[0]?.text ?? '';
    expect(text).toBe(r.choices[0]?.text);
  });

  it('injects 500, 429 with Retry-After, timeouts and mid-stream drops', async () => {
    const { url, client } = await mock({
      MOCK_FAILURE_RATE: '1',
      MOCK_FAILURE_TYPE: '500',
      MOCK_RETRY_AFTER: '2',
      MOCK_ITL: '5ms',
    });
    await expect(client.chat.completions.create({ model: 'm', messages: ask })).rejects.toMatchObject({
      status: 500,
      type: 'server_error',
    });
    const setFault = (body: unknown) =>
      fetch(`${url}/mock/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await setFault({ type: '429' });
    const r429 = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: ask }),
    });
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('2');
    expect(((await r429.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');

    await setFault({ type: 'timeout' });
    const t0 = Date.now();
    await expect(
      client.chat.completions.create({ model: 'm', messages: ask }, { timeout: 300 }),
    ).rejects.toThrow(/timed out/i);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);

    await setFault({ type: 'drop' });
    await expect(client.chat.completions.create({ model: 'm', messages: ask })).rejects.toThrow(
      /Connection error/i,
    );
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: ask,
      max_tokens: 20,
      stream: true,
    });
    let got = 0;
    await expect(
      (async () => {
        for await (const _ of stream) got++;
      })(),
    ).rejects.toThrow();
    expect(got).toBeGreaterThan(0); // some chunks first: a drop *mid*-stream

    expect((await setFault({ rate: 2 })).status).toBe(400);
    await setFault({ rate: 0 });
    await expect(client.chat.completions.create({ model: 'm', messages: ask })).resolves.toBeTruthy();
  });

  it('rejects bad input in the OpenAI envelope', async () => {
    const { url } = await mock();
    const post = (body: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    for (const [body, status] of [
      ['{nope', 400],
      [JSON.stringify({ model: 'm' }), 400],
      [JSON.stringify({ messages: ask, max_tokens: -1 }), 400],
    ] as const) {
      const r = await post(body);
      expect(r.status).toBe(status);
      expect(((await r.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    }
  });

  it("exports llama.cpp's metric names with the work done", async () => {
    const { url, client } = await mock({ MOCK_TTFT: '10ms' });
    await client.chat.completions.create({ model: 'm', messages: ask, max_tokens: 4 });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^llamacpp:prompt_tokens_total 3$/m);
    expect(text).toMatch(/^llamacpp:tokens_predicted_total [234]$/m);
    expect(text).toMatch(/^llamacpp:prompt_seconds_total 0\.0\d+/m);
    expect(text).toMatch(/^llamacpp:requests_processing 0$/m);
    expect(text).toMatch(/^llamacpp:requests_deferred 0$/m);
    expect(text).toMatch(/^llamacpp:prompt_tokens_seconds \d+/m);
    expect(text).toContain(
      'http_requests_total{method="POST",route="/v1/chat/completions",status_code="200"} 1',
    );
  });

  it('lists its metric names without starting', async () => {
    const registry = new Registry();
    createMockInferenceMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual([
      'llamacpp:n_decode_total',
      'llamacpp:predicted_tokens_seconds',
      'llamacpp:prompt_seconds_total',
      'llamacpp:prompt_tokens_seconds',
      'llamacpp:prompt_tokens_total',
      'llamacpp:requests_deferred',
      'llamacpp:requests_processing',
      'llamacpp:tokens_predicted_seconds_total',
      'llamacpp:tokens_predicted_total',
    ]);
  });

  it('defers requests beyond its parallel slots', async () => {
    const { url, client } = await mock({ MOCK_PARALLEL: '1', MOCK_TTFT: '150ms' });
    const all = Promise.all(
      [1, 2, 3].map(() => client.chat.completions.create({ model: 'm', messages: ask, max_tokens: 2 })),
    );
    await new Promise((r) => setTimeout(r, 60));
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^llamacpp:requests_processing 1$/m);
    expect(text).toMatch(/^llamacpp:requests_deferred 2$/m);
    expect(await all).toHaveLength(3);
  });
});
