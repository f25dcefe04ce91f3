/**
 * The engine against its baselines, in one run on the same rendered files (phase 1, CPU profile):
 *
 * - warm no-op `aisuite up` (everything already running) against `docker-compose up -d` on the compose
 *   file `up` rendered (Debian's docker-compose 1.29, Compose v1: it rejects the Compose Specification's
 *   top-level `name:`, so that one line is stripped for the baseline run, and it reads YAML 1.1, so bare
 *   on/off/yes/no values are quoted for it; the project is passed with -p).
 *   Target: at most half of docker-compose's time. A reference row times `aisuite --version`: the
 *   start-up every command pays before its own work.
 * - cold `aisuite up` to all-ready (images present, no container) against the critical-path floor: each
 *   service started on its own (one at a time, dependencies already running) as a plain container with
 *   the same create options, timed to its readiness endpoint (polled every 50 ms, with `up`'s GETs), the times combined
 *   along the slowest dependency chain. Target: within 1.3x. A reference row times docker-compose on the
 *   same compose file from no container to every readiness endpoint answering.
 *
 * Uses the test bed's stand-in Node image (no registry). Alone: `npx tsx bench/engine.ts`
 * (BENCH_ENGINE_RUNS=5 warm runs per side, BENCH_ENGINE_COLD_RUNS=3 floor and cold runs, interleaved;
 * `npm run build` first).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { ContainerClient } from '../src/lib/docker/containers.js';
import { containerOptions } from '../src/lib/docker/container-spec.js';
import { prepareDeployment } from '../src/lib/docker/deployment.js';
import { secretEnv } from '../src/lib/docker/desired.js';
import { ImageClient } from '../src/lib/docker/images.js';
import { NetworkClient } from '../src/lib/docker/networks.js';
import { renderedDirOf } from '../src/lib/docker/rendered-dir.js';
import { ensureServicesImage } from '../src/lib/docker/services-image.js';
import { teardown } from '../src/lib/docker/teardown.js';
import { HttpWait } from '../src/lib/docker/wait.js';
import { connectHost } from '../src/lib/suite/address.js';
import { ensureSecrets } from '../src/lib/secrets/store.js';
import type { ServiceSpec, SuiteSpec } from '../src/lib/suite/types.js';
import { nodeImageWithHeaders } from '../test/e2e/support/node-image.js';
import { freePorts } from '../test/e2e/support/suite.js';
import { ensureStandInImages } from '../test/support/stand-in/images.js';
import { AISUITE_BIN, median, runIfMain, type BenchResult } from './types.js';

const RUNS = Number(process.env.BENCH_ENGINE_RUNS ?? 5);
const COLD_RUNS = Number(process.env.BENCH_ENGINE_COLD_RUNS ?? 3);
const SETTLE_MS = Number(process.env.BENCH_ENGINE_SETTLE_MS ?? 5000);
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function readinessUrl(suite: SuiteSpec, svc: ServiceSpec): string | undefined {
  const readiness = svc.readiness;
  const port = readiness && svc.ports.find((p) => p.container === readiness.port && p.host !== undefined);
  return port && readiness
    ? `http://${connectHost(suite.bindAddress)}:${port.host}${readiness.path}`
    : undefined;
}

/** Each service on its own: plain create+start, then readiness; combined along the slowest dependency chain. */
async function criticalPathFloor(
  docker: Docker,
  suite: SuiteSpec,
  secretsFile: string,
  renderedDir: string,
): Promise<{ floorMs: number; perService: Record<string, { startMs: number; readyMs: number }> }> {
  const containers = new ContainerClient(docker);
  const secrets = await ensureSecrets(secretsFile);
  await new NetworkClient(docker).ensure(suite.network, suite.project);
  const perService: Record<string, { startMs: number; readyMs: number }> = {};
  try {
    // one at a time in dependency order, each with its dependencies already running (the gateway is
    // only ready when a backend is), so every measurement is a plain start without contention
    for (const svc of waves(suite).flat()) {
      const options = containerOptions(suite, svc, {
        configHash: 'floor',
        release: 'floor',
        secretEnv: secretEnv(svc, secrets),
        renderedDir,
      });
      let id = '';
      const startMs = await timed(async () => {
        id = await containers.create(options);
        await containers.start(id);
      });
      const url = readinessUrl(suite, svc);
      // the same readiness GETs as `up` (short first timeouts), polled every 50 ms throughout
      const target = { inspect: () => docker.getContainer(id).inspect() };
      const readyMs = url
        ? await timed(() => new HttpWait(url).waitUntilReady(target, { timeoutMs: 120_000, intervalMs: 50 }))
        : 0;
      perService[svc.name] = { startMs, readyMs };
    }
  } finally {
    await teardown(suite.project, { docker, volumes: true });
  }
  const started = new Map<string, number>();
  const ready = new Map<string, number>();
  for (const wave of waves(suite)) {
    for (const svc of wave) {
      const gate = Math.max(
        0,
        ...svc.dependsOn.map((d) =>
          d.condition === 'healthy' ? (ready.get(d.service) ?? 0) : (started.get(d.service) ?? 0),
        ),
      );
      const t = perService[svc.name] as { startMs: number; readyMs: number };
      started.set(svc.name, gate + t.startMs);
      ready.set(svc.name, gate + t.startMs + t.readyMs);
    }
  }
  return { floorMs: Math.max(...ready.values()), perService };
}

function waves(suite: SuiteSpec): ServiceSpec[][] {
  const done = new Set<string>();
  const out: ServiceSpec[][] = [];
  let rest = [...suite.services];
  while (rest.length > 0) {
    const wave = rest.filter((s) => s.dependsOn.every((d) => done.has(d.service)));
    if (wave.length === 0) throw new Error('dependency cycle');
    wave.forEach((s) => done.add(s.name));
    rest = rest.filter((s) => !wave.includes(s));
    out.push(wave);
  }
  return out;
}

export async function run(): Promise<BenchResult[]> {
  const docker = new Docker();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-bench-engine-'));
  const project = `bench-${randomBytes(3).toString('hex')}`;
  const env = {
    ...process.env,
    AISUITE_STATE_DIR: path.join(dir, 'state'),
    AISUITE_RENDERER: 'silent',
    NO_COLOR: '1',
  };
  const standIns = await ensureStandInImages(['node'], { log: () => undefined });
  const nodeImage = await nodeImageWithHeaders(docker, standIns.node as string);
  const [chat, code, gateway] = await freePorts(3);
  const configFile = path.join(dir, 'aisuite.yaml');
  await writeFile(
    configFile,
    stringify({
      project,
      build: { nodeImage, useSystemCa: true },
      ports: { 'inference-chat': chat, 'inference-code': code, 'api-gateway': gateway },
    }),
  );
  const flags = { config: configFile, phase: '1', cpu: true };
  const aisuite = (...args: string[]) =>
    execa(AISUITE_BIN, [...args, '--config', configFile], { env, stdout: 'ignore' });
  const previousStateDir = process.env.AISUITE_STATE_DIR;
  process.env.AISUITE_STATE_DIR = env.AISUITE_STATE_DIR;
  try {
    const { resolved, files, servicesImage } = await prepareDeployment(flags);
    if (servicesImage) await ensureServicesImage(new ImageClient(docker), servicesImage);
    const renderedDir = renderedDirOf(project, env);
    // the rendered files exist before the floor runs (no bind in phase 1, but keep the inputs equal)
    const { syncRenderedDir } = await import('../src/lib/docker/rendered-dir.js');
    await syncRenderedDir(renderedDir, files);

    // 1. the floor and cold up, interleaved (one run of each varied by a quarter on a shared host),
    // 2. warm no-op up
    const floors: number[] = [];
    const colds: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const floor = await criticalPathFloor(docker, resolved.suite, resolved.secretsFile, renderedDir);
      floors.push(floor.floorMs);
      colds.push(await timed(() => aisuite('up', '--phase', '1', '--cpu', '--pull', 'never')));
      if (process.env.BENCH_VERBOSE) {
        process.stderr.write(
          `floor per service (ms): ${JSON.stringify(floor.perService)}; floor ${Math.round(floor.floorMs)}; cold up ${Math.round(colds.at(-1) ?? 0)}\n`,
        );
      }
      // the next floor run starts from no container, as cold `up` did
      if (i < COLD_RUNS - 1) await aisuite('down');
    }
    const floorMs = median(floors);
    const cold = median(colds);
    // "Warm" means a suite that is running and settled: the services' Node processes keep a CPU busy
    // for a few seconds after they start (JIT, first checks), which slowed the first no-op runs by
    // ~25% on 2 cores. Both sides get the same pause.
    await settle();
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++)
      warm.push(await timed(() => aisuite('up', '--phase', '1', '--cpu', '--pull', 'never')));
    if (process.env.BENCH_VERBOSE)
      process.stderr.write(`warm up runs (ms): ${warm.map(Math.round).join(' ')}\n`);
    await aisuite('down');

    // 4. docker-compose on the same rendered compose file, without the top-level `name:` it rejects
    const compose = await readFile(path.join(renderedDir, 'compose.yaml'), 'utf8');
    const composeFile = path.join(dir, 'compose.v1.yaml');
    // Compose v1 reads YAML 1.1, where a bare on/off/yes/no is a boolean: quote those scalars for it.
    await writeFile(
      composeFile,
      compose.replace(/^name: .*\n/m, '').replace(/^(\s+[\w.-]+): (on|off|yes|no)$/gim, '$1: "$2"'),
    );
    const dc = (...args: string[]) =>
      execa(
        'docker-compose',
        ['--env-file', resolved.secretsFile, '-p', project, '-f', composeFile, ...args],
        {
          env,
          stdout: 'ignore',
          stderr: 'ignore',
        },
      );
    let composeWarm: number[] = [];
    const composeCold: number[] = [];
    try {
      // docker-compose from no container to every readiness endpoint answering, as cold `up` is timed
      // (the same readiness GETs, on the containers Compose v1 names <project>_<service>_1): what the
      // usual tool does against the same floor
      const waits = resolved.suite.services.flatMap((svc) => {
        const url = readinessUrl(resolved.suite, svc);
        const target = { inspect: () => docker.getContainer(`${project}_${svc.name}_1`).inspect() };
        return url
          ? [() => new HttpWait(url).waitUntilReady(target, { timeoutMs: 120_000, intervalMs: 50 })]
          : [];
      });
      for (let i = 0; i < COLD_RUNS; i++) {
        composeCold.push(
          await timed(async () => {
            await dc('up', '-d');
            await Promise.all(waits.map((w) => w()));
          }),
        );
        await dc('down');
      }
      if (process.env.BENCH_VERBOSE)
        process.stderr.write(`docker-compose cold runs (ms): ${composeCold.map(Math.round).join(' ')}\n`);
      await dc('up', '-d');
      await settle();
      for (let i = 0; i < RUNS; i++) composeWarm.push(await timed(() => dc('up', '-d')));
      if (process.env.BENCH_VERBOSE)
        process.stderr.write(`docker-compose runs (ms): ${composeWarm.map(Math.round).join(' ')}\n`);
    } finally {
      await dc('down').catch(() => undefined);
      await teardown(project, { docker, volumes: true });
    }
    // What any command pays before its own work: Node's start and loading and initialising oclif.
    const startup: number[] = [];
    for (let i = 0; i < RUNS; i++)
      startup.push(await timed(() => execa(AISUITE_BIN, ['--version'], { env, stdout: 'ignore' })));
    const noop = median(warm);
    const composeNoop = median(composeWarm);
    composeWarm = [];
    return [
      {
        name: 'engine: warm no-op up (phase 1, 3 services)',
        value: noop,
        unit: 'ms',
        baseline: { name: 'docker-compose up -d (v1.29, name: stripped)', value: composeNoop },
        ratio: noop / composeNoop,
        target: '<= 0.5x',
        met: noop / composeNoop <= 0.5,
      },
      {
        name: 'reference: aisuite --version (CLI start-up alone)',
        value: median(startup),
        unit: 'ms',
        baseline: { name: 'docker-compose up -d (v1.29, name: stripped)', value: composeNoop },
        ratio: median(startup) / composeNoop,
      },
      {
        name: `engine: cold up to all ready (phase 1, median of ${COLD_RUNS})`,
        value: cold,
        unit: 'ms',
        baseline: { name: 'critical-path floor (plain starts + readiness)', value: floorMs },
        ratio: cold / floorMs,
        target: '<= 1.3x',
        met: cold / floorMs <= 1.3,
      },
      {
        name: `reference: docker-compose up -d, cold, to all ready (median of ${COLD_RUNS})`,
        value: median(composeCold),
        unit: 'ms',
        baseline: { name: 'critical-path floor (plain starts + readiness)', value: floorMs },
        ratio: median(composeCold) / floorMs,
      },
    ];
  } finally {
    if (previousStateDir === undefined) delete process.env.AISUITE_STATE_DIR;
    else process.env.AISUITE_STATE_DIR = previousStateDir;
    await teardown(project, { docker, volumes: true }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta.url, run);
