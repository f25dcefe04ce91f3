/**
 * The rendered Prometheus config, rules and dashboard queries loaded by a real Prometheus (Debian's
 * prometheus 2.42, the same major version as the v2.53 image): the config starts, every rule group loads,
 * and every dashboard query is accepted by the query engine (syntax and types, not just grammar).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectedRuleGroups } from '../../../../src/lib/render/monitoring/rules.js';
import { promqlExpressions, withoutGrafanaVariables } from './expressions.js';
import { freePort, startBinary, type RunningBinary } from './real-binary.js';
import { removeTempDirs, renderToTempDir } from './render-dir.js';
import { SUITES } from './suites.js';

const suite = SUITES['phase3-cpu-full']!();
let prom: RunningBinary;

beforeAll(async () => {
  const dir = await renderToTempDir(suite);
  const port = await freePort();
  prom = await startBinary(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus/prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    port,
  );
});

afterAll(async () => {
  await prom?.stop();
  await removeTempDirs();
});

describe('a real Prometheus on the rendered config', () => {
  it('loads every rendered rule group and alert', async () => {
    const body = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: { name: string }[] }[] };
    };
    const loaded = body.data.groups.flatMap((g) => g.rules.map((r) => `${g.name}/${r.name}`)).sort();
    const expected = selectedRuleGroups(suite)
      .flatMap((g) => g.rules.map((r) => `aisuite-${g.file}/${r.alert}`))
      .sort();
    expect(loaded).toEqual(expected);
  });

  it('scrapes one target per selected metrics endpoint, job = service name', async () => {
    type Targets = { data: { activeTargets: { labels: { job: string }; scrapeUrl: string }[] } };
    const expected = suite.services
      .filter((s) => s.metrics)
      .map((s) => s.name)
      .sort();
    // Service discovery hands the targets to the scrape manager a few seconds after start-up, one
    // scrape pool (job) after another: wait until as many as expected are there (or 20 s), then compare.
    let body: Targets = { data: { activeTargets: [] } };
    for (let i = 0; i < 100 && body.data.activeTargets.length < expected.length; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      body = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as Targets;
    }
    const jobs = body.data.activeTargets.map((t) => t.labels.job).sort();
    expect(jobs).toEqual(expected);
    expect(body.data.activeTargets.map((t) => t.scrapeUrl)).toContain('http://api-gateway:8080/metrics');
  });

  it('accepts every dashboard query', async () => {
    const rejected: string[] = [];
    for (const e of promqlExpressions(suite).filter((x) => x.kind === 'dashboard')) {
      const res = await fetch(`${prom.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: withoutGrafanaVariables(e.expr) }),
      });
      const json = (await res.json()) as { status: string; error?: string };
      if (json.status !== 'success') rejected.push(`${e.where}: ${json.error ?? res.status}`);
    }
    expect(rejected).toEqual([]);
  });
});
