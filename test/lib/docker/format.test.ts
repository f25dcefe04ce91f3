import { describe, expect, it } from 'vitest';
import { parseSince } from '../../../src/commands/logs.js';
import { formatEndpoints, formatPlan, formatStatus, table } from '../../../src/lib/docker/format.js';
import { buildSuite } from '../../../src/lib/suite/build.js';
import { suiteOptions } from '../../support/suite-options.js';
import { formatUptime } from '../../../src/lib/docker/status.js';

describe('output formats', () => {
  it('pads table columns to the widest cell', () => {
    expect(table(['A', 'BB'], [['long value', 'x']])).toBe('A           BB\nlong value  x');
  });

  it("lists the suite's entry points as this host reaches them, with where their credentials are", () => {
    const phase3 = buildSuite(
      suiteOptions({ phase: 3, bindAddress: '0.0.0.0', ports: { 'api-gateway': 18000 } }),
    );
    expect(formatEndpoints(phase3, 'aisuite secrets get --config lab.yaml').split('\n')).toEqual([
      'ENDPOINT                URL',
      'OpenAI-compatible API   http://127.0.0.1:18000/v1  key: aisuite secrets get --config lab.yaml gateway-api-key',
      'MCP (Streamable HTTP)   http://127.0.0.1:8020/mcp  tokens: docs/MCP.md',
      'RAG                     http://127.0.0.1:8002      POST /index, POST /query (docs/services.md)',
      'Embeddings (TEI-style)  http://127.0.0.1:8003      POST /embed, POST /v1/embeddings',
      'Grafana                 http://127.0.0.1:3001      user admin, password: aisuite secrets get --config lab.yaml grafana-admin-password',
      'Prometheus              http://127.0.0.1:9090',
      'Alertmanager            http://127.0.0.1:9093',
    ]);
    // phase 1: the gateway only; nothing published: nothing to say
    expect(formatEndpoints(buildSuite(suiteOptions({ phase: 1 })))).toMatch(
      /^ENDPOINT.*\nOpenAI-compatible API {2}http:\/\/127\.0\.0\.1:8000\/v1 .*$/,
    );
    expect(formatEndpoints(buildSuite(suiteOptions({ phase: 1, without: ['api-gateway'] })))).toBe('');
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
