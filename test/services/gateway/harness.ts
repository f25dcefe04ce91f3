/** Starts real mock-inference backends and a real gateway as child processes for gateway tests. */
import OpenAI from 'openai';
import { startServiceProcess, waitFor, type ServiceProcess } from '../../support/service-process.js';

export const API_KEY = 'sk-test-0123456789';

export interface Suite {
  chat: ServiceProcess;
  code: ServiceProcess;
  gateway: ServiceProcess;
  client: OpenAI;
  /** Restart the chat (or code) backend on the port it had (after a kill). */
  restart(which: 'chat' | 'code', env?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export function mockEnv(model: string, extra: Record<string, string> = {}): Record<string, string> {
  return { MODEL_NAME: model, MOCK_ADMIN: 'true', LOG_LEVEL: 'warn', ...extra };
}

export async function startSuite(opts: {
  gatewayEnv?: Record<string, string>;
  chatEnv?: Record<string, string>;
  codeEnv?: Record<string, string>;
}): Promise<Suite> {
  const [chat, code] = await Promise.all([
    startServiceProcess('mock-inference', { env: mockEnv('mock-chat', opts.chatEnv) }),
    startServiceProcess('mock-inference', { env: mockEnv('mock-code', opts.codeEnv) }),
  ]);
  const gateway = await startServiceProcess('api-gateway', {
    env: {
      GATEWAY_API_KEY: API_KEY,
      CHAT_BACKEND_URL: chat.url,
      CODE_BACKEND_URL: code.url,
      EMBEDDING_URL: 'off',
      HEALTH_CHECK_INTERVAL: '200ms',
      LOG_LEVEL: 'warn',
      ...opts.gatewayEnv,
    },
  });
  const suite: Suite = {
    chat,
    code,
    gateway,
    client: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: API_KEY, maxRetries: 0 }),
    async restart(which, env) {
      const old = suite[which];
      await old.kill();
      const fresh = await startServiceProcess('mock-inference', {
        port: old.port,
        env: mockEnv(which === 'chat' ? 'mock-chat' : 'mock-code', {
          ...(which === 'chat' ? opts.chatEnv : opts.codeEnv),
          ...env,
        }),
      });
      suite[which] = fresh;
      return fresh;
    },
    async stop() {
      await Promise.all([suite.gateway.stop(), suite.chat.kill(), suite.code.kill()]);
    },
  };
  return suite;
}

/** Sets a backend's injected failures at run time (MOCK_ADMIN). */
export async function setFaults(
  backend: ServiceProcess,
  faults: { rate?: number; type?: string },
): Promise<void> {
  const r = await fetch(`${backend.url}/mock/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (r.status !== 200) throw new Error(`setFaults: ${r.status} ${await r.text()}`);
}

/** Reads one sample of a metric (exact label set, in exposition order) from /metrics. */
export async function metric(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const want = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** Waits until the gateway's /health reports no backend down (cooldowns over, checks up). */
export async function waitAvailable(gatewayUrl: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = (await (await fetch(`${gatewayUrl}/health`)).json()) as {
      backends: Record<string, { state: string }>;
    };
    if (Object.values(h.backends).every((b) => b.state !== 'down')) return;
    if (Date.now() > deadline) throw new Error(`backends still down: ${JSON.stringify(h.backends)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { waitFor };
