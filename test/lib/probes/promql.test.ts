import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe, systemClock, type ProbeSpec } from '../../../src/lib/probes/index.js';
import { freePort, startPrometheus, startServer, type PrometheusHandle } from './support.js';

// A real Prometheus (Debian's 2.42 binary) scraping a tiny exporter started by the test.
let prometheus: PrometheusHandle;
let exporter: Awaited<ReturnType<typeof startServer>>;
const ctx = () => ({ signal: AbortSignal.timeout(5000), clock: systemClock });

beforeAll(async () => {
  exporter = await startServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      [
        '# TYPE demo_queue_depth gauge',
        'demo_queue_depth{service="api-gateway"} 3',
        'demo_queue_depth{service="rag"} 12',
        '# TYPE demo_requests_total counter',
        'demo_requests_total{service="api-gateway"} 42',
        '',
      ].join('\n'),
    );
  });
  prometheus = await startPrometheus([`127.0.0.1:${exporter.port}`]);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.close();
});

describe('promql probe against a real Prometheus', () => {
  it('passes when every sample meets the condition', async () => {
    const spec: ProbeSpec = {
      kind: 'promql',
      url: prometheus.url,
      query: 'up',
      condition: { op: '==', value: 1 },
    };
    const outcome = await createProbe(spec).run(ctx());
    expect(outcome).toMatchObject({ ok: true, message: '1 sample, all == 1' });
  });

  it('fails and names the samples that miss the condition', async () => {
    const spec: ProbeSpec = {
      kind: 'promql',
      url: prometheus.url,
      query: 'demo_queue_depth',
      condition: { op: '<', value: 10 },
    };
    const outcome = await createProbe(spec).run(ctx());
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/^1 of 2 samples not < 10: demo_queue_depth\{.*service="rag".*\} = 12$/);
  });

  it('fails on an empty result even without a condition', async () => {
    const outcome = await createProbe({ kind: 'promql', url: prometheus.url, query: 'no_such_metric' }).run(
      ctx(),
    );
    expect(outcome).toMatchObject({ ok: false, message: 'empty result for no_such_metric' });
  });

  it('reports a query Prometheus rejects', async () => {
    const outcome = await createProbe({ kind: 'promql', url: prometheus.url, query: 'sum(' }).run(ctx());
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/HTTP 400.*parse error/);
  });

  it('requires a sample for every expected label value', async () => {
    const spec: ProbeSpec = {
      kind: 'promql',
      url: prometheus.url,
      query: 'demo_queue_depth',
      expectLabel: { name: 'service', values: ['api-gateway', 'rag', 'embedding'] },
    };
    const outcome = await createProbe(spec).run(ctx());
    expect(outcome).toMatchObject({ ok: false, message: 'no sample with service=embedding' });
  });

  it('evaluates scalar results', async () => {
    const spec: ProbeSpec = {
      kind: 'promql',
      url: prometheus.url,
      query: 'scalar(sum(demo_queue_depth))',
      condition: { op: '>=', value: 15 },
    };
    expect((await createProbe(spec).run(ctx())).ok).toBe(true);
  });

  it('fails with the network error when Prometheus is not there', async () => {
    const port = await freePort();
    const outcome = await createProbe({ kind: 'promql', url: `http://127.0.0.1:${port}`, query: 'up' }).run(
      ctx(),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('ECONNREFUSED');
  });
});
