import { describe, expect, it } from 'vitest';
import { parseSince } from '../../../src/commands/logs.js';
import { formatPlan, formatStatus, table } from '../../../src/lib/docker/format.js';
import { formatUptime } from '../../../src/lib/docker/status.js';

describe('output formats', () => {
  it('pads table columns to the widest cell', () => {
    expect(table(['A', 'BB'], [['long value', 'x']])).toBe('A           BB\nlong value  x');
  });

  it('prints the plan and the status table', () => {
    expect(
      formatPlan([
        { service: 'api-gateway', action: 'recreate', reason: 'config changed (a -> b)', containerIds: [] },
      ]),
    ).toBe('SERVICE      ACTION    REASON\napi-gateway  recreate  config changed (a -> b)');
    expect(formatPlan([])).toBe('nothing to do');
    const status = formatStatus([
      { name: 'postgres', state: 'exited', exitCode: 1, ports: [], image: 'pg:17' },
      {
        name: 'api-gateway',
        state: 'running',
        health: 'healthy',
        ports: ['127.0.0.1:8000->8080/tcp'],
        image: 'x',
        uptimeSeconds: 3725,
      },
    ]);
    expect(status).toMatch(/^postgres\s+exited \(1\)\s+-\s+-\s+pg:17\s+-$/m);
    expect(status).toMatch(/^api-gateway\s+running\s+healthy\s+127\.0\.0\.1:8000->8080\/tcp\s+x\s+1h 2m$/m);
  });

  it('formats uptime', () => {
    expect(formatUptime(undefined)).toBe('-');
    expect(formatUptime(42)).toBe('42s');
    expect(formatUptime(125)).toBe('2m 5s');
    expect(formatUptime(90_000)).toBe('1d 1h');
  });

  it('parses --since as a duration, unix seconds or a date', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(parseSince('10m', now)).toBe(now / 1000 - 600);
    expect(parseSince('2h', now)).toBe(now / 1000 - 7200);
    expect(parseSince('1700000000', now)).toBe(1_700_000_000);
    expect(parseSince('2026-01-01T11:00:00Z', now)).toBe(now / 1000 - 3600);
    expect(() => parseSince('yesterday-ish', now)).toThrow(/expected a duration/);
  });
});
