/**
 * Soak: 64 concurrent clients against the gateway for a bounded time; the chat backend is killed
 * (SIGKILL) midway. No non-streamed request may fail, and the gateway's RSS must stay bounded.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, metric, startSuite, type Suite } from './harness.js';

const CLIENTS = 64;
const STREAMING_CLIENTS = 8;
const DURATION_MS = 10_000;
const KILL_AT_MS = 5_000;

let s: Suite;
beforeAll(async () => {
  const mock = { MOCK_TTFT: '5ms', MOCK_ITL: '2ms', MOCK_MAX_TOKENS: '8' };
  s = await startSuite({
    chatEnv: mock,
    codeEnv: mock,
    gatewayEnv: { ROUTER_TIMEOUT: '5s', HEALTH_CHECK_INTERVAL: '500ms' },
  });
});
afterAll(async () => {
  await s?.stop();
});

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

describe('gateway soak', () => {
  it(
    '64 clients, chat backend killed midway: no non-streamed failure, RSS bounded',
    { timeout: 60_000 },
    async () => {
      const pool = new Pool(s.gateway.url, { connections: CLIENTS });
      const pid = s.gateway.child.pid as number;
      const stats = {
        ok: 0,
        failed: [] as string[],
        streamsOk: 0,
        streamsBroken: 0,
        byBackend: {} as Record<string, number>,
      };
      const rss: Array<[number, number]> = [];
      const t0 = Date.now();
      const sampler = setInterval(() => rss.push([Date.now() - t0, rssBytes(pid)]), 250);
      let killedAt = 0;
      const killer = new Promise<void>((r) => setTimeout(r, KILL_AT_MS)).then(async () => {
        await s.chat.kill();
        killedAt = Date.now() - t0;
      });

      const worker = async (i: number): Promise<void> => {
        const stream = i < STREAMING_CLIENTS;
        let n = 0;
        while (Date.now() - t0 < DURATION_MS) {
          n++;
          const model = i % 4 === 3 ? 'code' : 'chat';
          const body = JSON.stringify({
            model,
            messages: [{ role: 'user', content: `client ${i} request ${n}` }],
            stream,
          });
          try {
            const res = await pool.request({
              method: 'POST',
              path: '/v1/chat/completions',
              headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
              body,
            });
            const text = await res.body.text();
            const backend = String(res.headers['x-aisuite-backend']);
            stats.byBackend[backend] = (stats.byBackend[backend] ?? 0) + 1;
            if (stream) {
              if (res.statusCode === 200 && text.endsWith('data: [DONE]\n\n')) stats.streamsOk++;
              else stats.streamsBroken++;
            } else if (res.statusCode === 200 && text.includes('"choices"')) stats.ok++;
            else stats.failed.push(`${res.statusCode} ${text.slice(0, 200)}`);
          } catch (e) {
            if (stream) stats.streamsBroken++;
            else stats.failed.push(String(e));
          }
        }
      };
      await Promise.all([...Array.from({ length: CLIENTS }, (_, i) => worker(i)), killer]);
      clearInterval(sampler);
      await pool.close();

      const fallbacks = await metric(s.gateway.url, 'gateway_fallbacks_total', { from: 'chat', to: 'code' });
      const warm = rss.filter(([t]) => t >= 2_000 && t < 4_000).map(([, b]) => b);
      const late = rss.filter(([t]) => t >= DURATION_MS - 2_000).map(([, b]) => b);
      const peak = Math.max(...rss.map(([, b]) => b));
      const mb = (b: number): number => Math.round(b / 1048576);
      console.log(
        `soak: ${stats.ok} non-streamed ok, ${stats.failed.length} failed; streams ok ${stats.streamsOk}, broken ${stats.streamsBroken}; ` +
          `by backend ${JSON.stringify(stats.byBackend)}; chat killed at ${killedAt} ms; fallbacks ${fallbacks}; ` +
          `RSS warm ${mb(Math.max(...warm))} MB, late ${mb(Math.max(...late))} MB, peak ${mb(peak)} MB`,
      );
      // Then: not one non-streamed request failed, traffic moved to code, memory stayed bounded
      expect(stats.failed).toEqual([]);
      expect(stats.ok).toBeGreaterThan(300);
      expect(stats.streamsOk).toBeGreaterThan(30);
      expect(killedAt).toBeGreaterThan(0);
      expect(fallbacks).toBeGreaterThan(0);
      expect(peak).toBeLessThan(400 * 1048576);
      expect(Math.max(...late)).toBeLessThan(Math.max(...warm) + 64 * 1048576);
    },
  );
});
