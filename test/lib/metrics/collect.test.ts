import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AisuiteError } from '../../../src/lib/errors.js';
import { collectMetrics } from '../../../src/lib/metrics/collect.js';
import { PrometheusClient } from '../../../src/lib/metrics/prometheus-client.js';
import { METRICS_JSON_SCHEMA } from '../../../src/lib/metrics/schema.js';
import { renderMetricsTable } from '../../../src/lib/metrics/table.js';
import type { MetricsSnapshot } from '../../../src/lib/metrics/types.js';
import { startPrometheusBed, type PrometheusBed } from './prometheus-bed.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

describe('metrics from a real Prometheus 2.42', () => {
  let bed: PrometheusBed;
  let snapshot: MetricsSnapshot;
  beforeAll(async () => {
    bed = await startPrometheusBed();
    await bed.ready();
    snapshot = await collectMetrics(new PrometheusClient(bed.url), { window: '10s' });
  }, 120_000);
  afterAll(async () => bed?.stop());

  it('returns non-empty RED numbers and process resources for every fed service', () => {
    const fed = ['api-gateway', 'embedding', 'inference-chat', 'inference-code', 'mcp-server', 'rag'];
    for (const name of fed) {
      const row = snapshot.services.find((s) => s.service === name);
      expect(row, name).toBeDefined();
      expect(row!.up).toBe(1);
      expect(row!.requestsPerSecond).toBeGreaterThan(3); // ~10/s fed; probe routes excluded
      expect(row!.requestsPerSecond).toBeLessThan(40);
      expect(row!.latencyP50Seconds).toBeGreaterThan(0.01);
      expect(row!.latencyP95Seconds).toBeLessThan(0.25);
      expect(row!.cpuCores).not.toBeNull();
      expect(row!.memoryBytes).toBeGreaterThan(1_000_000);
      expect(row!.resourceSource).toBe('process'); // no cAdvisor in this bed
      expect(row!.restarts).toBe(0);
    }
  });

  it('computes the error ratio without probe routes and flags the breach of the alert threshold', () => {
    const rag = snapshot.services.find((s) => s.service === 'rag')!;
    expect(rag.errorRatio).toBeGreaterThan(0.2);
    expect(rag.errorRatio).toBeLessThan(0.8);
    expect(rag.breaches).toContain('errorRatio');
    const embedding = snapshot.services.find((s) => s.service === 'embedding')!;
    expect(embedding.errorRatio).toBe(0); // its /readyz 500s do not count
    expect(embedding.breaches).toEqual([]);
  });

  it('reports a target that is down, with n/a where it exports nothing', () => {
    const loki = snapshot.services.find((s) => s.service === 'loki')!;
    expect(loki.up).toBe(0);
    expect(loki.breaches).toContain('down');
    expect(loki.requestsPerSecond).toBeNull();
    expect(loki.resourceSource).toBeNull();
  });

  it('lists a target Prometheus has not scraped yet as pending rather than leaving it out', async () => {
    const alertmanager = snapshot.services.find((s) => s.service === 'alertmanager')!;
    expect(alertmanager).toMatchObject({ up: null, notScrapedYet: true, breaches: [] });
    expect(snapshot.services.filter((s) => s.notScrapedYet).map((s) => s.service)).toEqual(['alertmanager']);
    const plain = renderMetricsTable(snapshot, { color: false });
    expect(plain).toMatch(/^alertmanager\s+pending\s+n\/a/m);
    expect(plain).toContain('pending: not scraped yet');
    // asked for by name, it is a known service, not an error
    const one = await collectMetrics(new PrometheusClient(bed.url), {
      window: '10s',
      services: ['alertmanager'],
    });
    expect(one.services).toEqual([expect.objectContaining({ service: 'alertmanager', notScrapedYet: true })]);
  });

  it('has tokens per second and time to first token for inference, backends and fallbacks for the gateway', () => {
    const chat = snapshot.services.find((s) => s.service === 'inference-chat')!;
    expect(chat.inference!.tokensPerSecond).toBeGreaterThan(60); // 20 tokens every 100 ms
    expect(chat.inference!.ttftP50Seconds).toBeGreaterThan(0.1);
    expect(chat.inference!.ttftP95Seconds).toBeLessThanOrEqual(0.25);
    const code = snapshot.services.find((s) => s.service === 'inference-code')!;
    expect(code.inference!.ttftP50Seconds).toBeNull(); // no streamed traffic to code
    const gw = snapshot.services.find((s) => s.service === 'api-gateway')!;
    expect(gw.gateway!.backends).toEqual([
      { backend: 'chat', state: 0, stateName: 'healthy' },
      { backend: 'code', state: 2, stateName: 'down' },
    ]);
    expect(gw.gateway!.fallbacks[0]).toMatchObject({ from: 'code', to: 'chat' });
    expect(gw.gateway!.fallbacks[0]!.count).toBeGreaterThan(10);
    expect(gw.breaches).toEqual(expect.arrayContaining(['backendDown', 'fallbacks']));
  });

  it('lists firing alerts, and the --json document matches its schema', () => {
    expect(snapshot.alerts).toEqual([
      expect.objectContaining({
        name: 'RagErrorsForTest',
        severity: 'warning',
        service: 'rag',
        summary: 'rag answers 5xx',
      }),
    ]);
    const ajv = addFormats(new Ajv({ allErrors: true }));
    const validate = ajv.compile(METRICS_JSON_SCHEMA);
    expect(validate(JSON.parse(JSON.stringify(snapshot))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('--service keeps only the named services and rejects unknown ones, naming the known ones', async () => {
    const client = new PrometheusClient(bed.url);
    const one = await collectMetrics(client, { window: '10s', services: ['rag'] });
    expect(one.services.map((s) => s.service)).toEqual(['rag']);
    const error = await collectMetrics(client, { window: '10s', services: ['grafanna'] }).catch(
      (e: unknown) => e,
    );
    expect((error as AisuiteError).exitCode).toBe(2);
    expect((error as AisuiteError).hint).toContain('api-gateway');
  });

  it('renders a table with n/a for missing numbers and red only where thresholds are breached', () => {
    const plain = renderMetricsTable(snapshot, { color: false });
    expect(plain).toMatch(/^rag\s+up\s+[\d.]+\s+[\d.]+%/m);
    expect(plain).toMatch(/^loki\s+DOWN\s+n\/a/m);
    expect(plain).toContain('code=down');
    expect(plain).toContain('RagErrorsForTest (rag)');
    expect(plain).not.toContain('\u001b[');
    const coloured = renderMetricsTable(snapshot, { color: true });
    expect(coloured).toContain(`\u001b[31m${' '.repeat('pending'.length - 'DOWN'.length)}DOWN`);
  });

  it('a little traffic or CPU shows as a number, not as 0.00', () => {
    const quiet = renderMetricsTable(
      {
        ...snapshot,
        services: [
          {
            service: 'rag',
            up: 1,
            requestsPerSecond: 0.0011, // one request in 15 minutes
            errorRatio: 0,
            latencyP50Seconds: 0.004,
            latencyP95Seconds: 0.009,
            restarts: 0,
            cpuCores: 0.0004,
            memoryBytes: 75 * 1024 * 1024,
            resourceSource: 'process',
            breaches: [],
          },
        ],
      },
      { color: false },
    );
    expect(quiet).toMatch(/^rag\s+up\s+0\.0011\s+0\.0%\s+4ms\s+9ms\s+0\s+0\.00040\s+75\.0MiB$/m);
  });

  it('an unreachable Prometheus gives an error naming its URL (exit 6)', async () => {
    const error = await collectMetrics(new PrometheusClient(bed.deadUrl), { window: '5m' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AisuiteError);
    expect((error as AisuiteError).message).toContain(`Prometheus at ${bed.deadUrl} is unreachable`);
    expect((error as AisuiteError).exitCode).toBe(6);
  });

  it('a server that answers "success" without Prometheus\'s shape gives an error naming its URL, not a crash', async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector' } }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const error = await collectMetrics(new PrometheusClient(url), { window: '5m' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AisuiteError);
      expect((error as AisuiteError).message).toMatch(
        new RegExp(`^Prometheus at ${url} answered .* without an? `),
      );
      expect((error as AisuiteError).exitCode).toBe(6);
    } finally {
      server.close();
    }
  });

  it('a window that is not a Prometheus duration is bad input', async () => {
    await expect(collectMetrics(new PrometheusClient(bed.url), { window: '15 minutes' })).rejects.toThrow(
      /not a Prometheus duration/,
    );
  });
});
