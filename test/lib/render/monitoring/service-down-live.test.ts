/**
 * ServiceDown end to end without Docker: a real Prometheus runs the rendered config and rules, a real
 * Alertmanager the rendered routing with a webhook receiver from the suite config. Stopping the embedding
 * service fires ServiceDown after its minute, the webhook receives it; restarting the service resolves it.
 * Only targets and intervals are changed here (processes on 127.0.0.1 instead of the suite network).
 */
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { writeRendered } from '../../../../src/lib/render/index.js';
import { renderMonitoring } from '../../../../src/lib/render/monitoring/index.js';
import { buildSuite } from '../../../../src/lib/suite/build.js';
import { startServiceProcess, type ServiceProcess } from '../../../support/service-process.js';
import { suiteOptions } from '../../../support/suite-options.js';
import { freePort, startBinary, type RunningBinary } from './real-binary.js';

interface Notification {
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

const EMBEDDING_ENV = { EMBEDDING_BACKEND: 'hashing', EMBEDDING_MODEL: 'bge-small', LOG_LEVEL: 'warn' };
let dir = '';
let hook: Server | undefined;
const notifications: Notification[] = [];
let embedding: ServiceProcess | undefined;
let prom: RunningBinary | undefined;
let am: RunningBinary | undefined;

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function activeAlerts(): Promise<{ labels: Record<string, string> }[]> {
  return (await (await fetch(`${am!.url}/api/v2/alerts?active=true`)).json()) as {
    labels: Record<string, string>;
  }[];
}

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      notifications.push(JSON.parse(body) as Notification);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook!.listen(0, '127.0.0.1', resolve));
  const hookPort = (hook.address() as { port: number }).port;

  const suite = buildSuite(
    suiteOptions({
      phase: 2,
      monitoring: true,
      without: ['rag', 'postgres', 'grafana', 'loki', 'alloy', 'cadvisor', 'node-exporter', 'api-gateway'],
      alerting: {
        webhook: [{ name: 'test-hook', url: `http://127.0.0.1:${hookPort}/alerts` }],
        slack: [],
        email: [],
      },
    }),
  );
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-service-down-'));
  await writeRendered(dir, renderMonitoring(suite));

  embedding = await startServiceProcess('embedding', { env: EMBEDDING_ENV });
  const [promPort, amPort] = [await freePort(), await freePort()];
  const address: Record<string, string> = {
    embedding: `127.0.0.1:${embedding.port}`,
    prometheus: `127.0.0.1:${promPort}`,
    alertmanager: `127.0.0.1:${amPort}`,
  };
  const configPath = path.join(dir, 'prometheus/prometheus.yml');
  const config = parse(await fs.readFile(configPath, 'utf8')) as {
    global: Record<string, string>;
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  Object.assign(config.global, { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' });
  config.alerting.alertmanagers = [{ static_configs: [{ targets: [address.alertmanager!] }] }];
  // Jobs of services not running here (the mocks) stay down; ServiceDown fires for them too, which is fine.
  for (const job of config.scrape_configs) {
    if (address[job.job_name]) job.static_configs = [{ targets: [address[job.job_name]!] }];
  }
  await fs.writeFile(configPath, stringify(config));

  am = await startBinary(
    'prometheus-alertmanager',
    [
      `--config.file=${path.join(dir, 'alertmanager/alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ],
    amPort,
  );
  prom = await startBinary(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    promPort,
  );
});

afterAll(async () => {
  await prom?.stop();
  await am?.stop();
  await embedding?.stop();
  await new Promise((resolve) => (hook ? hook.close(resolve) : resolve(undefined)));
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('ServiceDown through the real Prometheus and Alertmanager', () => {
  it(
    'fires when embedding stops, reaches the webhook receiver, and resolves when it is back',
    { timeout: 180_000 },
    async () => {
      const embeddingDown = (alerts: { labels: Record<string, string> }[]) =>
        alerts.some((a) => a.labels.alertname === 'ServiceDown' && a.labels.service === 'embedding');
      // Given embedding is scraped
      await waitUntil('embedding to be scraped', async () => !embeddingDown(await activeAlerts()), 10_000);
      const query = async (q: string) =>
        (
          (await (await fetch(`${prom!.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
            data: { result: unknown[] };
          }
        ).data.result;
      await waitUntil(
        'up{job="embedding"} == 1',
        async () => (await query('up{job="embedding"} == 1')).length === 1,
        15_000,
      );

      // When it stops
      const port = embedding!.port;
      await embedding!.stop();

      // Then ServiceDown fires after its minute and the webhook receives it (critical: group_wait 10s)
      await waitUntil('ServiceDown in Alertmanager', async () => embeddingDown(await activeAlerts()), 90_000);
      await waitUntil(
        'the webhook notification',
        async () => notifications.some((n) => n.alerts.some((a) => a.labels.service === 'embedding')),
        30_000,
      );
      const alert = notifications.flatMap((n) => n.alerts).find((a) => a.labels.service === 'embedding')!;
      expect(alert).toMatchObject({
        status: 'firing',
        labels: { alertname: 'ServiceDown', severity: 'critical', job: 'embedding', suite: 'aisuite' },
      });
      expect(alert.annotations.runbook_url).toMatch(/MONITORING_GUIDE\.md#servicedown$/);

      // When it is back, Then the alert resolves
      embedding = await startServiceProcess('embedding', { port, env: EMBEDDING_ENV });
      await waitUntil('ServiceDown to resolve', async () => !embeddingDown(await activeAlerts()), 30_000);
    },
  );
});
