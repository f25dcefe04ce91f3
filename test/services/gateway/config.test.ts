import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvError } from '../../../src/services/kit/index.js';
import { createGatewayMetrics, loadGatewayConfig } from '../../../src/services/gateway/index.js';
import { fallbackChain, routeRequest } from '../../../src/services/gateway/routing.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gw-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { GATEWAY_API_KEY: 'k' };

describe('gateway configuration', () => {
  it('has LiteLLM-like defaults', () => {
    const c = loadGatewayConfig(base);
    expect(c.router).toMatchObject({
      modelList: [
        { modelName: 'chat', apiBase: 'http://inference-chat:8080' },
        { modelName: 'code', apiBase: 'http://inference-code:8080' },
      ],
      fallbacks: { chat: ['code'], code: ['chat'] },
      numRetries: 2,
      timeoutMs: 60_000,
      allowedFails: 3,
      cooldownMs: 5_000,
    });
    expect(c.embeddingUrl).toBe('http://embedding:8080');
  });

  it('reads a LiteLLM-layout YAML file; variables that are set win over it', () => {
    const file = path.join(dir, 'router.yaml');
    writeFileSync(
      file,
      [
        'model_list:',
        '  - model_name: chat',
        '    litellm_params: { model: openai/llama-3b, api_base: "http://gpu-box:8001" }',
        '  - model_name: code',
        '    litellm_params: { api_base: "http://gpu-box:8004/" }',
        'router_settings:',
        '  num_retries: 0',
        '  timeout: 12',
        '  cooldown_time: 2.5',
        '  allowed_fails: 1',
        '  fallbacks: [{ chat: [code] }]',
        '  code_routing: { enabled: false }',
      ].join('\n'),
    );
    const c = loadGatewayConfig({
      ...base,
      ROUTER_CONFIG: file,
      ROUTER_NUM_RETRIES: '3',
      CODE_BACKEND_URL: 'http://other:1',
    });
    expect(c.router.modelList).toEqual([
      { modelName: 'chat', apiBase: 'http://gpu-box:8001' },
      { modelName: 'code', apiBase: 'http://other:1' },
    ]);
    expect(c.router).toMatchObject({
      numRetries: 3,
      timeoutMs: 12_000,
      cooldownMs: 2_500,
      allowedFails: 1,
      fallbacks: { chat: ['code'] },
    });
    expect(c.router.codeRouting.enabled).toBe(false);
  });

  it('rejects a bad file, an unknown fallback group and a bad pattern with EnvError', () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'router_settings:\n  num_retries: -1\n');
    expect(() => loadGatewayConfig({ ...base, ROUTER_CONFIG: bad })).toThrowError(
      /router_settings\.num_retries/,
    );
    expect(() => loadGatewayConfig({ ...base, ROUTER_CONFIG: path.join(dir, 'none.yaml') })).toThrowError(
      /cannot read/,
    );
    expect(() => loadGatewayConfig({ ...base, ROUTER_FALLBACKS: '[{"chat":["vision"]}]' })).toThrowError(
      /"vision" is not a model group/,
    );
    expect(() => loadGatewayConfig({ ...base, ROUTER_CODE_PATTERN: '(' })).toThrowError(EnvError);
  });
});

describe('gateway routing rule', () => {
  const cfg = loadGatewayConfig(base).router;
  const groups = new Set(['chat', 'code']);
  const user = (content: string) => ({ messages: [{ role: 'user', content }] });

  it.each([
    ['```js\nconst a = 1\n```', 'code'],
    ['def fib(n):\n    return n', 'code'],
    ['for (let i = 0; i < n; i++) {', 'code'],
    ['import numpy as np', 'code'],
    ['What is the capital of France?', 'chat'],
    ['Let me know what you think, please.', 'chat'],
    ['Explain the class struggle in two lines', 'chat'],
  ])('routes %j to %s', (content, group) => {
    expect(routeRequest('chat', user(content), cfg, groups).group).toBe(group);
  });

  it('looks at the last user message only, never reroutes code, and can be turned off', () => {
    const body = {
      messages: [
        { role: 'user', content: 'def x(): pass' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'thanks!' },
      ],
    };
    expect(routeRequest('chat', body, cfg, groups).group).toBe('chat');
    expect(routeRequest('code', user('hello'), cfg, groups).group).toBe('code');
    const off = loadGatewayConfig({ ...base, ROUTER_CODE_ROUTING: 'false' }).router;
    expect(routeRequest('chat', user('def f(): pass'), off, groups).group).toBe('chat');
    expect(() => routeRequest('gpt-4', user('x'), cfg, groups)).toThrowError(/does not exist/);
    expect(fallbackChain('chat', cfg)).toEqual(['chat', 'code']);
  });
});

describe('gateway metrics', () => {
  it('registers exactly the names the dashboards use', async () => {
    const registry = new Registry();
    createGatewayMetrics(registry, () => [['chat', 0]]);
    const metrics = await registry.getMetricsAsJSON();
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    expect(Object.keys(byName).sort()).toEqual([
      'gateway_backend_state',
      'gateway_cooldowns_total',
      'gateway_fallbacks_total',
      'gateway_overhead_seconds',
      'gateway_request_duration_seconds',
      'gateway_request_failures_total',
      'gateway_requests_total',
      'gateway_retries_total',
      'gateway_time_to_first_token_seconds',
      'gateway_upstream_duration_seconds',
    ]);
    expect(byName.gateway_backend_state?.values).toEqual([{ labels: { backend: 'chat' }, value: 0 }]);
    expect(byName.gateway_overhead_seconds?.type).toBe('histogram');
  });
});
