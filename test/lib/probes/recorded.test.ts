import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe, systemClock } from '../../../src/lib/probes/index.js';
import { dashboardQueries, expandVariables } from '../../../src/lib/probes/grafana.js';
import { startPrometheus, startServer, type PrometheusHandle } from './support.js';

// Grafana and Loki cannot run here: their answers are recordings (test/fixtures/recorded/README.md) served
// by a local HTTP server. The dashboard's PromQL runs against a real Prometheus.
const recording = (name: string) =>
  fs.readFileSync(fileURLToPath(new URL(`../../fixtures/recorded/${name}`, import.meta.url)), 'utf8');
const ctx = () => ({ signal: AbortSignal.timeout(10_000), clock: systemClock });

let recorded: Awaited<ReturnType<typeof startServer>>;
let exporter: Awaited<ReturnType<typeof startServer>>;
let prometheus: PrometheusHandle;
const requests: { url: URL; auth?: string }[] = [];
let lokiAnswer = 'loki/query-range-streams.json';

beforeAll(async () => {
  let requestsTotal = 0;
  exporter = await startServer((_req, res) => {
    requestsTotal += 7;
    res.end(
      `demo_requests_total{service="api-gateway"} ${requestsTotal}\ndemo_queue_depth{service="rag"} 2\n`,
    );
  });
  recorded = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://recorded');
    requests.push({ url, auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/api/dashboards/uid/aisuite-overview') {
      return res.end(recording('grafana/dashboard-aisuite-overview.json'));
    }
    if (url.pathname === '/api/dashboards/uid/missing-metric') {
      return res.end(recording('grafana/dashboard-missing-metric.json'));
    }
    if (url.pathname === '/loki/api/v1/query_range') return res.end(recording(lokiAnswer));
    res.statusCode = 404;
    res.end('{"message":"Dashboard not found"}');
  });
  prometheus = await startPrometheus([`127.0.0.1:${exporter.port}`]);
  // rate() needs two scrapes
  for (let i = 0; i < 50; i++) {
    const res = await fetch(
      `${prometheus.url}/api/v1/query?query=${encodeURIComponent('rate(demo_requests_total[5m])')}`,
    );
    if (((await res.json()) as { data: { result: unknown[] } }).data.result.length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.close();
  await recorded?.close();
});

describe('grafana-dashboard probe (recorded Grafana answers, real Prometheus)', () => {
  it('extracts the PromQL panel queries, rows flattened, Loki and hidden targets left out', () => {
    const body = JSON.parse(recording('grafana/dashboard-aisuite-overview.json')) as { dashboard: object };
    expect(dashboardQueries(body.dashboard).map((q) => q.panel)).toEqual([
      'Requests per second',
      'Targets up',
      'Queue depth',
    ]);
    expect(expandVariables('rate(x{s=~"$service"}[$__rate_interval]) + y[${__range}]', '5m')).toBe(
      'rate(x{s=~".+"}[5m]) + y[5m]',
    );
  });

  it('passes when every panel query returns data, with basic auth', async () => {
    const outcome = await createProbe({
      kind: 'grafana-dashboard',
      url: recorded.url,
      uid: 'aisuite-overview',
      prometheusUrl: prometheus.url,
      username: 'admin',
      password: 'pw',
    }).run(ctx());
    expect(outcome).toMatchObject({ ok: true, message: '3 panel queries of "aisuite overview" return data' });
    expect(requests.at(-1)?.auth).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
  });

  it('names the panel whose query returns no data', async () => {
    const outcome = await createProbe({
      kind: 'grafana-dashboard',
      url: recorded.url,
      uid: 'missing-metric',
      prometheusUrl: prometheus.url,
    }).run(ctx());
    expect(outcome).toMatchObject({
      ok: false,
      message: '1 of 4 panel queries return no data: Tokens per second',
    });
  });

  it('fails on an unknown dashboard', async () => {
    const outcome = await createProbe({
      kind: 'grafana-dashboard',
      url: recorded.url,
      uid: 'nope',
      prometheusUrl: prometheus.url,
    }).run(ctx());
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('HTTP 404');
  });
});

describe('logql probe (recorded Loki answers)', () => {
  it('passes with streams from every expected service and sends a bounded query_range', async () => {
    lokiAnswer = 'loki/query-range-streams.json';
    const before = BigInt(Date.now()) * 1_000_000n;
    const outcome = await createProbe({
      kind: 'logql',
      url: recorded.url,
      query: '{project="aisuite"}',
      sinceSeconds: 600,
      expectLabel: { name: 'service', values: ['api-gateway', 'rag', 'embedding'] },
    }).run(ctx());
    expect(outcome).toMatchObject({ ok: true, message: '3 streams, 4 lines' });
    const sent = requests.at(-1)!.url.searchParams;
    expect(sent.get('query')).toBe('{project="aisuite"}');
    const start = BigInt(sent.get('start')!);
    const end = BigInt(sent.get('end')!);
    expect(end - start).toBe(600_000_000_000n);
    expect(end >= before).toBe(true);
  });

  it('names the services with no logs', async () => {
    lokiAnswer = 'loki/query-range-streams.json';
    const outcome = await createProbe({
      kind: 'logql',
      url: recorded.url,
      query: '{project="aisuite"}',
      expectLabel: { name: 'service', values: ['api-gateway', 'mcp-server'] },
    }).run(ctx());
    expect(outcome).toMatchObject({ ok: false, message: 'no logs with service=mcp-server' });
  });

  it('fails on an empty answer and on a metric query', async () => {
    lokiAnswer = 'loki/query-range-empty.json';
    expect(
      (await createProbe({ kind: 'logql', url: recorded.url, query: '{a="b"}' }).run(ctx())).message,
    ).toBe('0 streams with lines (expected >= 1)');
    lokiAnswer = 'loki/query-range-matrix.json';
    expect(
      (
        await createProbe({ kind: 'logql', url: recorded.url, query: 'count_over_time({a="b"}[1m])' }).run(
          ctx(),
        )
      ).message,
    ).toBe('expected a log query (streams), got matrix');
  });
});
