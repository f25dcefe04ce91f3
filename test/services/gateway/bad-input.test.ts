/** Bad input against a real gateway process: every case a 4xx in the OpenAI envelope, nothing crashes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServiceMain, startServiceProcess, type ServiceProcess } from '../../support/service-process.js';
import { API_KEY } from './harness.js';

let gw: ServiceProcess;
beforeAll(async () => {
  // No backend is reachable: every case below must be rejected before any upstream call.
  gw = await startServiceProcess('api-gateway', {
    waitReady: false,
    env: {
      GATEWAY_API_KEY: API_KEY,
      CHAT_BACKEND_URL: 'http://127.0.0.1:9',
      CODE_BACKEND_URL: 'http://127.0.0.1:9',
      EMBEDDING_URL: 'off',
      GATEWAY_BODY_LIMIT: '4096',
      LOG_LEVEL: 'warn',
    },
  });
});
afterAll(async () => {
  await gw?.stop();
});

const auth = { authorization: `Bearer ${API_KEY}` };
const json = { 'content-type': 'application/json' };

async function call(
  body: string,
  headers: Record<string, string> = { ...auth, ...json },
  path = '/v1/chat/completions',
): Promise<{ status: number; error: { message: string; type: string; code: unknown } }> {
  const r = await fetch(`${gw.url}${path}`, { method: 'POST', headers, body });
  const parsed = (await r.json()) as { error: { message: string; type: string; code: unknown } };
  return { status: r.status, error: parsed.error };
}

describe('gateway bad input', () => {
  it.each([
    ['malformed JSON', '{"model": "chat", "messages": [', 400, 'invalid_json'],
    ['a non-object body', '[1,2,3]', 400, 'invalid_body'],
    ['an empty body', '', 400, 'invalid_json'],
    ['missing model', JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }), 400, 'missing_model'],
    ['missing messages', JSON.stringify({ model: 'chat' }), 400, 'missing_messages'],
    ['empty messages', JSON.stringify({ model: 'chat', messages: [] }), 400, 'missing_messages'],
    [
      'a non-boolean stream',
      JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }),
      400,
      'invalid_type',
    ],
    [
      'an unknown model',
      JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
      404,
      'model_not_found',
    ],
    [
      'an oversized body',
      JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }),
      413,
      'body_too_large',
    ],
  ])('rejects %s', async (_name, body, status, code) => {
    const r = await call(body);
    expect(r.status).toBe(status);
    expect(r.error.code).toBe(code);
    expect(r.error.type).toBe(status === 404 ? 'invalid_request_error' : 'invalid_request_error');
    expect(r.error.message.length).toBeGreaterThan(0);
  });

  it('rejects a missing or wrong API key with 401, before reading the body', async () => {
    const none = await call(JSON.stringify({ model: 'chat' }), json);
    expect(none).toMatchObject({
      status: 401,
      error: { code: 'missing_api_key', type: 'invalid_request_error' },
    });
    const wrong = await call('x'.repeat(10_000), { ...json, authorization: 'Bearer sk-nope' });
    expect(wrong).toMatchObject({ status: 401, error: { code: 'invalid_api_key' } });
    expect(JSON.stringify(wrong)).not.toContain(API_KEY);
  });

  it('rejects a wrong content type and an unknown route in the envelope', async () => {
    const r = await call('model=chat', { ...auth, 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    const nf = await call('{}', { ...auth, ...json }, '/v1/nothing');
    expect(nf).toMatchObject({ status: 404, error: { type: 'not_found_error' } });
  });

  it('answers a missing prompt on /v1/completions and keeps serving; never logs the key', async () => {
    const r = await call(JSON.stringify({ model: 'code' }), { ...auth, ...json }, '/v1/completions');
    expect(r).toMatchObject({ status: 400, error: { code: 'missing_prompt' } });
    expect((await fetch(`${gw.url}/livez`)).status).toBe(200);
    expect(gw.child.exitCode).toBeNull();
    expect(gw.lines().join('\n')).not.toContain(API_KEY);
  });

  it('with no backend reachable: readyz 503, health names each backend down, requests get 503 + Retry-After', async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
    const h = (await (await fetch(`${gw.url}/health`)).json()) as {
      checks: Record<string, { state: string; error: string }>;
    };
    expect(h.checks.chat?.state).toBe('down');
    expect(h.checks.code?.state).toBe('down');
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, ...json },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBeTruthy();
  });
});

describe('gateway configuration errors', () => {
  it('stops with exit 2 naming the variable, without printing the key', async () => {
    const r = await runServiceMain(['gateway'], {
      GATEWAY_API_KEY: 'sk-secret-value',
      ROUTER_FALLBACKS: '{chat->code}',
      ROUTER_TIMEOUT: 'soon',
      PORT: '0',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ROUTER_TIMEOUT="soon": not a duration');
    expect(r.stderr + r.stdout).not.toContain('sk-secret-value');
    const missing = await runServiceMain(['api-gateway'], { PORT: '0' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('GATEWAY_API_KEY=(unset): is required');
  });
});
