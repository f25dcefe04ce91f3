import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Metrics from '../../src/commands/metrics.js';
import { METRICS_JSON_SCHEMA } from '../../src/lib/metrics/schema.js';
import type { MetricsSnapshot } from '../../src/lib/metrics/types.js';
import { startPrometheusBed, type PrometheusBed } from '../lib/metrics/prometheus-bed.js';
import { runCommand } from '../lib/releases/run-command.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

describe('aisuite metrics (command, real Prometheus 2.42)', () => {
  let bed: PrometheusBed;
  beforeAll(async () => {
    bed = await startPrometheusBed();
    await bed.ready();
  }, 120_000);
  afterAll(async () => bed?.stop());

  it('--json prints the documented aisuite.metrics/v1 document with numbers for every service', async () => {
    const run = await runCommand(Metrics, ['--since', '10s', '--json'], { AISUITE_PROMETHEUS_URL: bed.url });
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as MetricsSnapshot;
    const validate = addFormats(new Ajv({ allErrors: true })).compile(METRICS_JSON_SCHEMA);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.prometheusUrl).toBe(bed.url);
    // every scraped service (the bed's loki is down, its alertmanager not scraped yet)
    expect(doc.services.filter((s) => s.up === 1)).toHaveLength(6);
    for (const row of doc.services.filter((s) => s.up === 1)) {
      expect(row.requestsPerSecond, row.service).toBeGreaterThan(0);
      expect(row.latencyP95Seconds, row.service).toBeGreaterThan(0);
    }
  });

  it('prints the table for the chosen services (--service, repeatable)', async () => {
    const run = await runCommand(
      Metrics,
      ['--since', '10s', '--service', 'rag', '--service', 'api-gateway'],
      {
        AISUITE_PROMETHEUS_URL: bed.url,
        NO_COLOR: '1',
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^SERVICE\s+UP\s+REQ\/S\s+ERR%\s+P50\s+P95\s+RESTARTS\s+CPU\s+MEM$/m);
    expect(run.stdout).toMatch(/^api-gateway\s+up/m);
    expect(run.stdout).not.toMatch(/^embedding/m);
  });

  it("another project's Prometheus is refused (exit 2), the project's own is read", async () => {
    const other = await runCommand(Metrics, ['--project', 'other', '--json'], {
      AISUITE_PROMETHEUS_URL: bed.url,
    });
    expect(other.exitCode).toBe(2);
    const error = JSON.parse(other.stdout) as { error: { code: string; message: string } };
    expect(error.error.code).toBe('PROMETHEUS_OTHER_PROJECT');
    expect(error.error.message).toBe(
      `the Prometheus at ${bed.url} belongs to project metrics-bed, not other`,
    );
    const own = await runCommand(Metrics, ['--project', 'metrics-bed', '--since', '10s', '--json'], {
      AISUITE_PROMETHEUS_URL: bed.url,
    });
    expect(own.exitCode, own.stderr).toBe(0);
  });

  it('an unreachable Prometheus exits 6 with an error naming the URL', async () => {
    const run = await runCommand(Metrics, ['--prometheus-url', bed.deadUrl, '--json']);
    expect(run.exitCode).toBe(6);
    const error = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(error.error.code).toBe('PROMETHEUS_UNREACHABLE');
    expect(error.error.message).toContain(bed.deadUrl);
  });

  it('--watch refreshes until Ctrl-C, then exits 0', async () => {
    // the development entry point runs the TypeScript sources (no build needed)
    const dev = fileURLToPath(new URL('../../bin/dev.js', import.meta.url));
    const child = execa(
      process.execPath,
      ['--import', 'tsx', dev, 'metrics', '--watch', '--interval', '1', '--since', '10s'],
      {
        env: { AISUITE_PROMETHEUS_URL: bed.url, NO_COLOR: '1' },
        reject: false,
      },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no second refresh: ${out}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        // without a terminal every refresh prints a whole block
        if ((out.match(/^SERVICE\s+UP/gm) ?? []).length >= 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(out).toMatch(/^rag\s+up/m);
  });

  it('--watch with --json is bad input (exit 2)', async () => {
    const run = await runCommand(Metrics, ['--watch', '--json', '--prometheus-url', bed.url]);
    expect(run.exitCode).toBe(2);
  });
});
