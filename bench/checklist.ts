/**
 * The checklist's own cost, in one run:
 *
 * - the post-deploy checklist's wall time as a ratio to its slowest single probe (target <= 1.5x). The
 *   checks mirror the built-in post-deploy list against real local servers: 12 health endpoints
 *   (5-40 ms), a Prometheus-like JSON API, three round trips (150-400 ms) and the rag-index -> rag-query
 *   chain, tcp and file checks; the baseline is the slowest probe run alone.
 * - `aisuite verify --cpu` end to end with images cached (the test bed's stand-ins and services image),
 *   against a fifth of a five-minute integration budget (target < 60 s). Set BENCH_VERIFY=0 to leave it out.
 *
 * Alone: `npx tsx bench/checklist.ts` (`npm run build` first for the verify figure).
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import Docker from 'dockerode';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { runChecks } from '../src/lib/checklist/runner.js';
import { DEFAULT_TIMING, type Check } from '../src/lib/checklist/types.js';
import { createProbe, systemClock, type ProbeSpec } from '../src/lib/probes/index.js';
import { runIfMain, type BenchResult } from './types.js';

async function startServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ status: 'ok', data: { activeTargets: [{ health: 'up' }, { health: 'up' }] } }),
      );
    }, delay);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function checks(url: string, file: string, port: number): Check[] {
  const c = (id: string, probe: ProbeSpec, needs: string[] = []): Check => ({
    id,
    title: id,
    stage: 'post-deploy',
    severity: 'critical',
    remedy: '-',
    needs,
    timing: { ...DEFAULT_TIMING, timeoutSeconds: 10 },
    probe,
    source: 'bench',
  });
  const http = (ms: number, json = false): ProbeSpec => ({
    kind: 'http',
    url: `${url}/?ms=${ms}`,
    ...(json ? { json: [{ path: 'data.activeTargets[*].health', equals: 'up' }] } : {}),
  });
  const healths = [5, 8, 10, 12, 15, 18, 20, 25, 30, 35, 40, 10].map((ms, i) => c(`health-${i}`, http(ms)));
  return [
    ...healths,
    c('prometheus-ready', http(10)),
    c('prometheus-targets-up', http(20, true), ['prometheus-ready']),
    c('prometheus-rules-healthy', http(20, true), ['prometheus-ready']),
    c('postgres-listening', { kind: 'tcp', host: '127.0.0.1', port, expect: 'listening' }),
    c('secrets-file', { kind: 'file', path: file, mode: '0600' }),
    c('gateway-chat-roundtrip', http(400), ['health-2']),
    c('embedding-roundtrip', http(150), ['health-3']),
    c('rag-index', http(200), ['health-4']),
    c('rag-query', http(250), ['rag-index']),
  ];
}

async function checklistRatio(): Promise<BenchResult> {
  const server = await startServer();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-bench-checklist-'));
  const file = path.join(dir, 'secrets.env');
  await fs.writeFile(file, 'A=1\n', { mode: 0o600 });
  const port = Number(new URL(server.url).port);
  try {
    const list = checks(server.url, file, port);
    // warm-up (connection pools, JIT)
    await runChecks(list, { concurrency: 8 });
    // baseline: each probe alone; the slowest one
    let slowest = 0;
    for (const check of list) {
      const started = performance.now();
      await createProbe(check.probe).run({ signal: AbortSignal.timeout(10_000), clock: systemClock });
      slowest = Math.max(slowest, performance.now() - started);
    }
    const walls: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const { results } = await runChecks(list, { concurrency: 8 });
      walls.push(performance.now() - started);
      if (results.some((r) => r.status !== 'passed')) throw new Error('a bench check failed');
    }
    const wall = walls.sort((a, b) => a - b)[2]!;
    return {
      name: `checklist: post-deploy wall time (${list.length} checks, concurrency 8, median of 5)`,
      value: wall,
      unit: 'ms',
      baseline: { name: 'slowest single probe alone', value: slowest },
      ratio: wall / slowest,
      target: '<= 1.5x',
      met: wall / slowest <= 1.5,
    };
  } finally {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function verifyEndToEnd(): Promise<BenchResult> {
  const [{ ensureStandInImages, standInImageOverrides }, { nodeImageWithHeaders }] = await Promise.all([
    import('../test/support/stand-in/images.js'),
    import('../test/e2e/support/node-image.js'),
  ]);
  const docker = new Docker();
  const refs = await ensureStandInImages(
    ['node', 'postgres', 'prometheus', 'alertmanager', 'node-exporter', 'postgres-exporter'],
    { log: () => undefined },
  );
  const nodeImage = await nodeImageWithHeaders(docker, refs.node as string);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-bench-verify-'));
  const configFile = path.join(dir, 'aisuite.yaml');
  await fs.writeFile(
    configFile,
    stringify({
      images: standInImageOverrides(),
      build: { nodeImage, useSystemCa: true },
      components: { without: ['grafana', 'loki', 'alloy', 'cadvisor'] },
    }),
  );
  const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url));
  const env = {
    ...process.env,
    AISUITE_STATE_DIR: path.join(dir, 'state'),
    NO_COLOR: '1',
    AISUITE_RENDERER: 'silent',
  };
  const run = () =>
    execa(
      process.execPath,
      [bin, 'verify', '--cpu', '--config', configFile, '--report-dir', path.join(dir, 'r')],
      {
        env,
        reject: false,
      },
    );
  try {
    // the first run builds the services image if this content has none yet: images cached afterwards
    const first = await run();
    const started = performance.now();
    const second = await run();
    const ms = performance.now() - started;
    if (second.exitCode !== 0) {
      throw new Error(
        `verify failed (exit ${second.exitCode}, first run ${first.exitCode}):\n${String(second.stdout)}\n${String(second.stderr).slice(-3000)}`,
      );
    }
    return {
      name: 'verify --cpu end to end (phase 3 CPU, stand-in monitoring, images cached)',
      value: ms / 1000,
      unit: 's',
      baseline: { name: 'a fifth of a 5-minute integration budget', value: 60 },
      ratio: ms / 1000 / 60,
      target: '< 1x',
      met: ms / 1000 < 60,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const results = [await checklistRatio()];
  if (process.env.BENCH_VERIFY !== '0') results.push(await verifyEndToEnd());
  return results;
}

await runIfMain(import.meta.url, run);
