/**
 * `aisuite rollback` wall time against a plain `aisuite up` of the same target release from the same
 * state (target: rollback <= 1.2x up, since both recreate only what differs).
 *
 * Real engine, phase 1 CPU profile with the services image, through the built CLI (`npm run build`
 * first). Each round: state B -> `rollback A` (timed), back to B with `up`, then `up` with A's config
 * (timed, the baseline). Rollback runs with --no-post-deploy-checks so both do the same work; one extra
 * rollback with the checklist is reported on its own.
 *
 * Alone: `npx tsx bench/rollback.ts` (BENCH_ROLLBACK_ROUNDS=2). Needs the services image buildable
 * offline (the e2e setup's node image with headers is used when present).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { standInImageOverrides } from '../test/support/stand-in/images.js';
import { AISUITE_BIN, median, runIfMain, type BenchResult } from './types.js';

const ROUNDS = Number(process.env.BENCH_ROLLBACK_ROUNDS ?? 2);
const ARGS = ['--phase', '1', '--cpu', '--pull', 'never'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The node base image for the services image: the e2e one with Node headers when built, else the stand-in. */
async function nodeImage(docker: Docker): Promise<string> {
  const images = await docker.listImages({ filters: { reference: ['aisuite-e2e/node'] } });
  const newest = images.sort((a, b) => b.Created - a.Created)[0]?.RepoTags?.[0];
  return newest ?? 'aisuite-standin/node:20-bookworm-slim';
}

/**
 * The newest services image already on the engine for the package services, so the bench measures
 * rollback and up, not an image build (none present: `up` builds one).
 */
async function servicesImage(docker: Docker): Promise<Record<string, string>> {
  const images = await docker.listImages({ filters: { reference: ['aisuite/services'] } });
  const ref = images.sort((a, b) => b.Created - a.Created)[0]?.RepoTags?.[0];
  return ref ? { 'inference-chat': ref, 'inference-code': ref, 'api-gateway': ref } : {};
}

export async function run(): Promise<BenchResult[]> {
  const docker = new Docker();
  const project = `bench-rb-${randomBytes(3).toString('hex')}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-bench-rollback-'));
  const env = { ...process.env, AISUITE_STATE_DIR: path.join(dir, 'state'), NO_COLOR: '1' };
  const ports = {
    'inference-chat': await freePort(),
    'inference-code': await freePort(),
    'api-gateway': await freePort(),
  };
  const portB = await freePort();
  const base = {
    project,
    images: { ...standInImageOverrides(), ...(await servicesImage(docker)) },
    build: { nodeImage: await nodeImage(docker), useSystemCa: true },
  };
  const configA = path.join(dir, 'a.yaml');
  const configB = path.join(dir, 'b.yaml');
  await writeFile(configA, stringify({ ...base, ports }));
  await writeFile(configB, stringify({ ...base, ports: { ...ports, 'api-gateway': portB } }));

  const cli = async (args: string[]): Promise<{ ms: number; stdout: string }> => {
    const t0 = performance.now();
    const result = await execa(AISUITE_BIN, args, { env, reject: false, timeout: 900_000 });
    const ms = performance.now() - t0;
    if (result.exitCode !== 0) {
      throw new Error(
        `aisuite ${args.join(' ')} exited ${result.exitCode}: ${String(result.stderr).slice(-2000)}`,
      );
    }
    return { ms, stdout: String(result.stdout) };
  };
  const up = (config: string) => cli(['up', ...ARGS, '--config', config, '--json']);

  try {
    const tagA = (JSON.parse((await up(configA)).stdout) as { release: string }).release;
    await up(configB);
    const rollbacks: number[] = [];
    const ups: number[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      rollbacks.push(
        (await cli(['rollback', tagA, '--project', project, '--no-post-deploy-checks', '--json'])).ms,
      );
      await up(configB);
      ups.push((await up(configA)).ms);
      await up(configB);
    }
    const checked = (await cli(['rollback', tagA, '--project', project, '--json'])).ms;
    const rb = median(rollbacks) / 1000;
    const baseline = median(ups) / 1000;
    return [
      {
        name: 'rollback to the previous release (one service differs)',
        value: rb,
        unit: 's',
        baseline: { name: 'up of the same release from the same state', value: baseline },
        ratio: rb / baseline,
        target: '<= 1.2x',
        met: rb / baseline <= 1.2,
      },
      {
        name: 'rollback incl. post-deploy checklist',
        value: checked / 1000,
        unit: 's',
        baseline: { name: 'up of the same release from the same state', value: baseline },
        ratio: checked / 1000 / baseline,
      },
    ];
  } finally {
    await execa(AISUITE_BIN, ['down', '--project', project, '--volumes', '--yes'], {
      env,
      reject: false,
    });
    await rm(dir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta.url, run);
