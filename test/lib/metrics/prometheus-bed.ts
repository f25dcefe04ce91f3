/**
 * A real Prometheus (Debian's /usr/bin/prometheus) scraping a real local HTTP server that serves one
 * prom-client registry per suite service, built with the services' own metric modules (service kit HTTP
 * metrics and process defaults, the gateway's and mock-inference's metrics), plus a target that is down
 * and one whose first scrape never completes (it accepts the connection and never answers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createGatewayMetrics } from '../../../src/services/gateway/metrics.js';
import { createHttpMetrics } from '../../../src/services/kit/http-metrics.js';
import { createMockInferenceMetrics } from '../../../src/services/mock-inference/metrics.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PrometheusBed {
  readonly url: string;
  /** A URL where nothing listens. */
  readonly deadUrl: string;
  /** Resolves once every query the metrics command needs has data for the fed services. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

const KIT_SERVICES = ['api-gateway', 'inference-chat', 'inference-code', 'embedding', 'rag', 'mcp-server'];

/** Start the bed; traffic (including 5xx on rag, a fallback and streamed TTFT) is fed every 100 ms. */
export async function startPrometheusBed(): Promise<PrometheusBed> {
  const registries = new Map<string, Registry>();
  const feeders: (() => void)[] = [];
  for (const service of KIT_SERVICES) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const httpMetrics = createHttpMetrics(registry);
    registries.set(service, registry);
    feeders.push(() => {
      const status = service === 'rag' && Math.random() < 0.5 ? '503' : '200';
      httpMetrics.requests.inc({ method: 'POST', route: '/v1/x', status_code: status });
      httpMetrics.duration.observe(
        { method: 'POST', route: '/v1/x', status_code: status },
        0.02 + Math.random() * 0.1,
      );
      // probe traffic must not count
      httpMetrics.requests.inc({ method: 'GET', route: '/readyz', status_code: '500' }, 50);
    });
  }
  const gateway = createGatewayMetrics(registries.get('api-gateway')!, () => [
    ['chat', 0],
    ['code', 2],
  ]);
  feeders.push(() => {
    gateway.fallbacks.inc({ from: 'code', to: 'chat' });
    gateway.ttft.observe({ model_group: 'chat', backend: 'chat' }, 0.15);
  });
  for (const service of ['inference-chat', 'inference-code']) {
    const inference = createMockInferenceMetrics(registries.get(service)!);
    feeders.push(() => inference.predictedTokens.inc(20));
  }
  const feed = setInterval(() => feeders.forEach((f) => f()), 100);

  const server = http.createServer((req, res) => {
    const registry = registries.get((req.url ?? '').replace(/^\/metrics\//, ''));
    if (!registry) return res.writeHead(404).end();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deadPort = await freePort();
  // alertmanager's target: scraped once an hour, and that scrape hangs, so it stays "not scraped yet"
  const held: Socket[] = [];
  const silent = createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentTarget = `127.0.0.1:${(silent.address() as AddressInfo).port}`;

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-metrics-prom-'));
  await fs.writeFile(
    path.join(dir, 'rules.yml'),
    [
      'groups:',
      '  - name: test',
      '    rules:',
      '      - alert: RagErrorsForTest',
      '        expr: vector(1)',
      '        labels: { severity: warning, service: rag }',
      '        annotations: { summary: "rag answers 5xx" }',
    ].join('\n'),
  );
  const config = [
    // the label aisuite's rendered config carries: the project it belongs to
    'global: { scrape_interval: 1s, evaluation_interval: 1s, external_labels: { suite: metrics-bed } }',
    'rule_files: [rules.yml]',
    'scrape_configs:',
    ...KIT_SERVICES.map(
      (s) =>
        `  - { job_name: ${s}, metrics_path: /metrics/${s}, static_configs: [{ targets: ["${target}"] }] }`,
    ),
    `  - { job_name: loki, static_configs: [{ targets: ["127.0.0.1:${deadPort}"] }] }`,
    `  - { job_name: alertmanager, scrape_interval: 1h, scrape_timeout: 1h, static_configs: [{ targets: ["${silentTarget}"] }] }`,
  ].join('\n');
  await fs.writeFile(path.join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.data.result;
  };

  return {
    url,
    deadUrl: `http://127.0.0.1:${deadPort}`,
    async ready() {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
        try {
          const rates = await query('sum by (job) (rate(http_requests_total[30s]) > 0)');
          const ttft = await query('rate(gateway_time_to_first_token_seconds_count[30s]) > 0');
          const alerts = await query('ALERTS{alertstate="firing"}');
          const up = await query('up');
          // rates over the tests' 10s window are only whole once 10s of samples exist
          const span = await query('count_over_time(up{job="rag"}[10s]) >= 9');
          const full = rates.length === KIT_SERVICES.length && ttft.length > 0 && span.length > 0;
          if (full && alerts.length > 0 && up.length === 7) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`Prometheus had no data after 60s: ${stderr}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    async stop() {
      clearInterval(feed);
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      await new Promise((r) => server.close(r));
      held.forEach((socket) => socket.destroy());
      await new Promise((r) => silent.close(r));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
