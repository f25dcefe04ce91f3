import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ChecklistTarget } from '../../../src/lib/checklist/target.js';
import { runSmokeTests, SMOKE_TESTS, type SmokeContext } from '../../../src/lib/verify/smoke.js';

const failover = SMOKE_TESTS.filter((t) => t.id === 'smoke-failover');

function context(fallbacks: SmokeContext['fallbacks'], without: string[] = []): SmokeContext {
  const services = ['api-gateway', 'inference-chat', 'inference-code']
    .filter((name) => !without.includes(name))
    .map((name) => ({ name }));
  return {
    target: {
      services,
      leftOut: Object.fromEntries(without.map((name) => [name, `without=${name}`])),
    } as unknown as ChecklistTarget,
    // a skipped test touches no engine: any call would throw here
    docker: new Proxy({}, { get: () => () => Promise.reject(new Error('no engine in this test')) }) as Docker,
    signal: new AbortController().signal,
    fallbacks,
  };
}

describe('smoke tests that do not apply to the suite', () => {
  it('failover is skipped when gateway.fallbacks gives chat no fallback to code', async () => {
    for (const fallbacks of [{}, { chat: [] }, { code: ['chat' as const] }]) {
      const [result] = await runSmokeTests(context(fallbacks), failover);
      expect(result).toMatchObject({
        id: 'smoke-failover',
        status: 'skipped',
        reason: 'skipped: gateway.fallbacks gives chat no fallback to code',
      });
    }
  });

  it('failover is skipped, with the reason, when a backend is left out', async () => {
    const [result] = await runSmokeTests(context(undefined, ['inference-code']), failover);
    expect(result).toMatchObject({ status: 'skipped', reason: 'skipped: without=inference-code' });
  });

  it('failover runs with the default fallbacks and with chat -> code configured', async () => {
    for (const fallbacks of [undefined, { chat: ['code' as const] }]) {
      const [result] = await runSmokeTests(context(fallbacks), failover);
      // it ran: it reached for the engine, which this test does not have
      expect(result).toMatchObject({ status: 'failed', message: expect.stringContaining('no engine') });
    }
  });
});
