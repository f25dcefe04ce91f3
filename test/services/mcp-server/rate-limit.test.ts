import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { parseRate } from '../../../src/services/mcp-server/config.js';
import { RateLimiter, describeRate } from '../../../src/services/mcp-server/rate-limit.js';
import { connect, createToken, manualClock, metric, startHarness, text, type McpHarness } from './helpers.js';

describe('RateLimiter (token bucket per token and tool)', () => {
  it('lets `calls` through, refuses the next with the time until a token refills, then refills evenly', () => {
    const clock = manualClock(0);
    const rl = new RateLimiter(parseRate('3/m'), new Map([['chat', parseRate('1/10s')]]), clock.now);
    expect([1, 2, 3].map(() => rl.take(1, 'rag_query').ok)).toEqual([true, true, true]);
    expect(rl.take(1, 'rag_query')).toEqual({
      ok: false,
      retryAfterMs: 20_000,
      limit: { calls: 3, windowMs: 60_000 },
    });
    expect(rl.take(2, 'rag_query').ok).toBe(true); // another token has its own bucket
    expect(rl.take(1, 'chat').ok).toBe(true); // another tool too, with its own rate
    expect(rl.take(1, 'chat')).toMatchObject({ ok: false, retryAfterMs: 10_000 });
    clock.advance(15_000);
    expect(rl.take(1, 'rag_query')).toMatchObject({ ok: false, retryAfterMs: 5_000 });
    clock.advance(5_000);
    expect(rl.take(1, 'rag_query').ok).toBe(true);
    clock.advance(10 * 60_000);
    rl.sweep();
    expect([1, 2, 3, 4].map(() => rl.take(1, 'rag_query').ok)).toEqual([true, true, true, false]); // capped at 3
  });

  it('parses rates and rejects bad ones', () => {
    expect(parseRate('60/m')).toEqual({ calls: 60, windowMs: 60_000 });
    expect(parseRate('5/30s')).toEqual({ calls: 5, windowMs: 30_000 });
    expect(parseRate('100 / 1h')).toEqual({ calls: 100, windowMs: 3_600_000 });
    expect(() => parseRate('60')).toThrow('not a rate like 60/m');
    expect(() => parseRate('0/m')).toThrow('positive');
    expect(describeRate(parseRate('5/30s'))).toBe('5 calls per 30s');
  });
});

describe('mcp-server rate limits over MCP', () => {
  let h: McpHarness;
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT: '3/m', MCP_RATE_LIMITS: 'chat=1/10s' });
    a = await connect(h.url, (await createToken(h.url, 'rl-a', ['agent'])).token);
    b = await connect(h.url, (await createToken(h.url, 'rl-b', ['agent'])).token);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await h?.close();
  });

  it('the n+1-th call in a window is refused with when to retry, and nothing runs', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await a.callTool({ name: 'rag_list_collections', arguments: {} });
      expect(r.isError).toBeFalsy();
    }
    const ragCalls = h.rag.calls.length;
    const limited = await a.callTool({ name: 'rag_list_collections', arguments: {} });
    expect(limited.isError).toBe(true);
    expect(text(limited)).toMatch(
      /^Rate limit exceeded for rag_list_collections \(3 calls per 1m per token\); nothing was run\. Retry after 20 s \(at .+Z\)\.$/,
    );
    expect(limited.structuredContent).toMatchObject({ error: 'rate_limited', retry_after_seconds: 20 });
    expect(h.rag.calls.length).toBe(ragCalls);
    expect(await metric(h.url, 'mcp_rate_limited_total{tool="rag_list_collections"}')).toBe(1);
    expect(
      await metric(h.url, 'mcp_tool_calls_total{tool="rag_list_collections",status="rate_limited"}'),
    ).toBe(1);

    // other tokens and other tools are not affected
    expect((await b.callTool({ name: 'rag_list_collections', arguments: {} })).isError).toBeFalsy();
    expect((await a.callTool({ name: 'suite_health', arguments: {} })).isError).toBeFalsy();

    // after the advertised wait the call passes again
    h.clock.advance(20_000);
    expect((await a.callTool({ name: 'rag_list_collections', arguments: {} })).isError).toBeFalsy();
  });

  it('per-tool overrides apply (chat=1/10s)', async () => {
    expect((await a.callTool({ name: 'chat', arguments: { prompt: 'hi' } })).isError).toBeFalsy();
    const r = await a.callTool({ name: 'chat', arguments: { prompt: 'hi' } });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toMatchObject({ retry_after_seconds: 10, limit: '1 call per 10s' });
  });
});
