/**
 * The Alertmanager routing and inhibition intent: routes checked with `amtool config routes test`, and
 * inhibition checked in a real Alertmanager (Debian's prometheus-alertmanager) running the rendered file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRIC_CATALOG } from '../../../../src/lib/render/monitoring/metric-catalog.js';
import { removeTempDirs, renderToTempDir } from './render-dir.js';
import { freePort, startBinary, type RunningBinary } from './real-binary.js';
import { SUITES } from './suites.js';

afterAll(removeTempDirs);

async function route(config: string, labels: readonly string[]): Promise<string> {
  const result = await execa('amtool', ['config', 'routes', 'test', `--config.file=${config}`, ...labels]);
  return result.stdout.trim();
}

describe('routing (amtool config routes test)', () => {
  let withReceivers = '';
  let withoutReceivers = '';
  beforeAll(async () => {
    withReceivers = path.join(
      await renderToTempDir(SUITES['phase3-cpu-full']!()),
      'alertmanager/alertmanager.yml',
    );
    withoutReceivers = path.join(
      await renderToTempDir(SUITES['phase1-cpu']!()),
      'alertmanager/alertmanager.yml',
    );
  });

  it('sends critical and warning alerts to every configured receiver', async () => {
    const all = 'ops-webhook,ops-slack,ops-email';
    expect(await route(withReceivers, ['alertname=ServiceDown', 'severity=critical', 'service=rag'])).toBe(
      all,
    );
    expect(await route(withReceivers, ['alertname=APIGatewayHighLatency', 'severity=warning'])).toBe(all);
  });

  it('drops info alerts and alerts without a severity into the null receiver', async () => {
    expect(await route(withReceivers, ['alertname=Something', 'severity=info'])).toBe('null');
    expect(await route(withReceivers, ['alertname=Something'])).toBe('null');
  });

  it('routes everything to the null receiver when no receiver is configured', async () => {
    expect(await route(withoutReceivers, ['alertname=ServiceDown', 'severity=critical'])).toBe('null');
  });

  it('groups by alert and service, pages critical alerts faster', async () => {
    const config = parse(await fs.readFile(withReceivers, 'utf8')) as {
      route: {
        group_by: string[];
        group_wait: string;
        routes: { matchers: string[]; group_wait?: string }[];
      };
    };
    expect(config.route.group_by).toEqual(['alertname', 'service']);
    const critical = config.route.routes.find((r) => r.matchers.includes('severity="critical"'));
    expect(critical?.group_wait).toBe('10s');
    expect(config.route.group_wait).toBe('30s');
  });
});

interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe('inhibition in a real Alertmanager', () => {
  let am: RunningBinary;
  beforeAll(async () => {
    const dir = await renderToTempDir(SUITES['phase1-cpu']!());
    const port = await freePort();
    am = await startBinary(
      'prometheus-alertmanager',
      [
        `--config.file=${path.join(dir, 'alertmanager/alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      port,
    );
  });
  afterAll(async () => {
    await am?.stop();
  });

  it('ServiceDown inhibits the same service latency, error and scrape alerts, and nothing else', async () => {
    // Given the gateway is down and its latency, error ratio and scrapes alert, and rag is slow
    const now = new Date();
    const endsAt = new Date(now.getTime() + 10 * 60_000).toISOString();
    const alert = (labels: Record<string, string>) => ({ labels, startsAt: now.toISOString(), endsAt });
    const posted = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert({ alertname: 'ServiceDown', service: 'api-gateway', severity: 'critical', job: 'api-gateway' }),
        alert({ alertname: 'APIGatewayHighLatency', service: 'api-gateway', severity: 'warning' }),
        alert({ alertname: 'APIGatewayHighErrorRate', service: 'api-gateway', severity: 'critical' }),
        alert({
          alertname: 'ScrapeFailures',
          service: 'api-gateway',
          severity: 'warning',
          job: 'api-gateway',
        }),
        alert({ alertname: 'APIGatewayFallbacksRising', service: 'api-gateway', severity: 'warning' }),
        alert({ alertname: 'ScrapeFailures', service: 'rag', severity: 'warning', job: 'rag' }),
      ]),
    });
    expect(posted.status).toBe(200);
    // When Alertmanager evaluates them
    const alerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as ApiAlert[];
    const state = Object.fromEntries(
      alerts.map((a) => [`${a.labels.alertname}/${a.labels.service}`, a.status.inhibitedBy.length > 0]),
    );
    // Then only the gateway's latency, error and scrape alerts are inhibited
    expect(state).toEqual({
      'ServiceDown/api-gateway': false,
      'APIGatewayHighLatency/api-gateway': true,
      'APIGatewayHighErrorRate/api-gateway': true,
      'ScrapeFailures/api-gateway': true,
      'APIGatewayFallbacksRising/api-gateway': false,
      'ScrapeFailures/rag': false,
    });
  });

  it('exposes the catalogued Alertmanager metrics', async () => {
    const text = await (await fetch(`${am.url}/metrics`)).text();
    const names = new Set(
      text.split('\n').flatMap((l) => (l.startsWith('# TYPE ') ? [l.split(' ')[2]!] : [])),
    );
    const missing = METRIC_CATALOG.filter((m) => m.source === 'alertmanager' && !names.has(m.name)).map(
      (m) => m.name,
    );
    expect(missing).toEqual([]);
  });
});
