/**
 * The overview dashboard against live data: the real gateway, two mock-inference backends and the
 * embedding service run as processes, a real Prometheus scrapes them with the rendered config and rules
 * (targets pointed at the processes, scrape interval shortened: the only changes, made here), traffic goes
 * through the gateway, and then every overview query returns data.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { dashboardModel } from '../../../../src/lib/render/monitoring/dashboard-model.js';
import { METRIC_CATALOG } from '../../../../src/lib/render/monitoring/metric-catalog.js';
import { overviewDashboard } from '../../../../src/lib/render/monitoring/dashboards-overview.js';
import { renderMonitoring } from '../../../../src/lib/render/monitoring/index.js';
import { writeRendered } from '../../../../src/lib/render/index.js';
import { buildSuite } from '../../../../src/lib/suite/build.js';
import { startServiceProcess, type ServiceProcess } from '../../../support/service-process.js';
import { suiteOptions } from '../../../support/suite-options.js';
import { startSuite, type Suite } from '../../../services/gateway/harness.js';
import { freePort, startBinary, type RunningBinary } from './real-binary.js';

const suite = buildSuite(
  suiteOptions({
    phase: 2,
    profile: 'cpu',
    monitoring: true,
    without: ['rag', 'postgres', 'grafana', 'loki', 'alloy', 'cadvisor', 'node-exporter', 'alertmanager'],
  }),
);

let dir = '';
let services: Suite | undefined;
let embedding: ServiceProcess | undefined;
let prom: RunningBinary | undefined;

async function query(expr: string): Promise<unknown[]> {
  const res = await fetch(`${prom!.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr.replaceAll('$__rate_interval', '30s') }),
  });
  const body = (await res.json()) as { status: string; error?: string; data: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-overview-live-'));
  await writeRendered(dir, renderMonitoring(suite));
  services = await startSuite({});
  embedding = await startServiceProcess('embedding', {
    env: { EMBEDDING_BACKEND: 'hashing', EMBEDDING_MODEL: 'BAAI/bge-small-en-v1.5', LOG_LEVEL: 'warn' },
  });
  const port = await freePort();
  const address: Record<string, string> = {
    'inference-chat': `127.0.0.1:${services.chat.port}`,
    'inference-code': `127.0.0.1:${services.code.port}`,
    'api-gateway': `127.0.0.1:${services.gateway.port}`,
    embedding: `127.0.0.1:${embedding.port}`,
    prometheus: `127.0.0.1:${port}`,
  };
  const configPath = path.join(dir, 'prometheus/prometheus.yml');
  const config = parse(await fs.readFile(configPath, 'utf8')) as {
    global: Record<string, string>;
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  expect(config.scrape_configs.map((j) => j.job_name).sort()).toEqual(Object.keys(address).sort());
  config.global.scrape_interval = '1s';
  config.global.evaluation_interval = '1s';
  config.global.scrape_timeout = '1s';
  for (const job of config.scrape_configs) job.static_configs = [{ targets: [address[job.job_name]!] }];
  await fs.writeFile(configPath, stringify(config));
  prom = await startBinary(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    port,
  );
});

afterAll(async () => {
  await prom?.stop();
  await embedding?.stop();
  await services?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('the AI Suite Overview on a live CPU suite', () => {
  it('returns data for every panel query after some traffic', { timeout: 90_000 }, async () => {
    // Given every target is scraped
    for (let i = 0; i < 100 && (await query('up == 1')).length < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await query('up == 1')).toHaveLength(5);
    // When traffic flows through the gateway (plain and streamed) and the embedding service
    const client = services!.client;
    for (let round = 0; round < 4; round++) {
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }] });
      await client.chat.completions.create({
        model: 'code',
        messages: [{ role: 'user', content: 'def add(a, b):' }],
      });
      const stream = await client.chat.completions.create({
        model: 'chat',
        stream: true,
        messages: [{ role: 'user', content: 'tell me a story' }],
      });
      for await (const _chunk of stream) void _chunk;
      const res = await fetch(`${embedding!.url}/embed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: ['one text', 'another text'] }),
      });
      expect(res.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    // Then, a few scrapes later, every query of the overview returns at least one series
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const model = dashboardModel(overviewDashboard(suite)) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const empty: string[] = [];
    let queries = 0;
    for (const panel of model.panels) {
      for (const target of panel.targets ?? []) {
        queries++;
        if ((await query(target.expr)).length === 0) empty.push(`${panel.title}: ${target.expr}`);
      }
    }
    expect(queries).toBeGreaterThan(8);
    expect(empty).toEqual([]);
  });

  it('has every catalogued Prometheus series (synthetic per-target series and its own metrics)', async () => {
    const res = await fetch(`${prom!.url}/api/v1/label/__name__/values`);
    const names = new Set(((await res.json()) as { data: string[] }).data);
    const missing = METRIC_CATALOG.filter((m) => m.source === 'prometheus' && !names.has(m.name)).map(
      (m) => m.name,
    );
    expect(missing).toEqual([]);
  });
});
