/**
 * The rendered configs checked by the versions the suite runs (Prometheus 2.53, Alertmanager 0.28: the
 * offline stand-in images carry Debian trixie's promtool 2.53 and amtool 0.28), and the exporter metric
 * names of the catalog checked against real node-exporter and postgres-exporter (stand-ins too). Needs a
 * Docker engine; the host-tool tests next to this one cover promtool 2.42 and amtool 0.25.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_CATALOG, type MetricSource } from '../../../../src/lib/render/monitoring/metric-catalog.js';
import { startPostgres, type StartedPostgres } from '../../../support/postgres.js';
import { TEST_LABEL } from '../../../support/stand-in/containers.js';
import { ensureStandInImages } from '../../../support/stand-in/images.js';
import { freePort } from './real-binary.js';
import { removeTempDirs, renderToTempDir } from './render-dir.js';
import { SUITES } from './suites.js';

let refs: Record<string, string> = {};
const containers: string[] = [];

beforeAll(async () => {
  refs = await ensureStandInImages(['prometheus', 'alertmanager', 'node-exporter', 'postgres-exporter']);
}, 900_000);

afterAll(async () => {
  if (containers.length > 0) await execa('docker', ['rm', '-f', ...containers], { reject: false });
  await removeTempDirs();
});

/** Run a tool of a stand-in image on a rendered directory mounted read-only at /work. */
async function tool(image: string, dir: string, command: string) {
  // The temp dir is private (0700); the tools run as nobody in their images.
  await fs.chmod(dir, 0o755);
  return execa(
    'docker',
    [
      'run',
      '--rm',
      '--label',
      `${TEST_LABEL}=1`,
      '-v',
      `${dir}:/work:ro`,
      '--entrypoint',
      'sh',
      image,
      '-c',
      command,
    ],
    { reject: false },
  );
}

describe.each(Object.keys(SUITES))('suite %s with the target versions', (name) => {
  let dir = '';
  beforeAll(async () => {
    dir = await renderToTempDir(SUITES[name]!());
  });

  it('passes promtool 2.53 check config and check rules', async () => {
    const result = await tool(
      refs.prometheus!,
      dir,
      'promtool --version 2>&1 | head -1 && promtool check config /work/prometheus/prometheus.yml && promtool check rules /work/prometheus/rules/*.yml',
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('version 2.53');
  });

  it('passes amtool 0.28 check-config', async () => {
    const result = await tool(
      refs.alertmanager!,
      dir,
      'amtool --version 2>&1 | head -1 && amtool check-config /work/alertmanager/alertmanager.yml',
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('version 0.28');
  });
});

describe('Prometheus 2.53 and Alertmanager 0.28 semantics', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await renderToTempDir(SUITES['phase3-cpu-full']!());
  });

  it('passes every promtool unit test with promtool 2.53', async () => {
    const result = await tool(refs.prometheus!, dir, 'cd /work/tests && promtool test rules *.test.yml');
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.match(/SUCCESS/g)?.length).toBe((await fs.readdir(path.join(dir, 'tests'))).length);
  });

  it('routes by severity with amtool 0.28', async () => {
    const config = '/work/alertmanager/alertmanager.yml';
    const result = await tool(
      refs.alertmanager!,
      dir,
      `amtool config routes test --config.file=${config} severity=critical alertname=ServiceDown service=rag && ` +
        `amtool config routes test --config.file=${config} severity=info alertname=Other`,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['ops-webhook,ops-slack,ops-email', 'null']);
  });
});

async function scrape(url: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return await res.text();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no metrics at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const exposed = (text: string) =>
  new Set(text.split('\n').flatMap((line) => (line.startsWith('# TYPE ') ? [line.split(' ')[2]!] : [])));
const catalogued = (source: MetricSource) =>
  METRIC_CATALOG.filter((m) => m.source === source).map((m) => m.name);

async function runExporter(image: string, args: string[], env: string[] = []): Promise<void> {
  const { stdout } = await execa('docker', [
    'run',
    '-d',
    '--network',
    'host',
    '--label',
    `${TEST_LABEL}=1`,
    ...env.flatMap((e) => ['-e', e]),
    image,
    ...args,
  ]);
  containers.push(stdout.trim());
}

describe('exporters', () => {
  let postgres: StartedPostgres | undefined;
  afterAll(async () => {
    await postgres?.stop();
  });

  it('node-exporter exposes every catalogued node-exporter metric', async () => {
    const port = await freePort();
    await runExporter(refs['node-exporter']!, [`--web.listen-address=127.0.0.1:${port}`]);
    const names = exposed(await scrape(`http://127.0.0.1:${port}/metrics`));
    expect(catalogued('node-exporter').filter((name) => !names.has(name))).toEqual([]);
  });

  it(
    'postgres-exporter exposes every catalogued postgres-exporter metric',
    { timeout: 300_000 },
    async () => {
      postgres = await startPostgres();
      const port = await freePort();
      const dsn = new URL(postgres.url);
      dsn.searchParams.set('sslmode', 'disable');
      await runExporter(
        refs['postgres-exporter']!,
        [`--web.listen-address=127.0.0.1:${port}`],
        [`DATA_SOURCE_NAME=${dsn}`],
      );
      const text = await scrape(`http://127.0.0.1:${port}/metrics`);
      const names = exposed(text);
      expect(catalogued('postgres-exporter').filter((name) => !names.has(name))).toEqual([]);
      expect(text).toMatch(/^pg_up 1$/m);
    },
  );
});
