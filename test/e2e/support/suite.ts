import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Result } from 'execa';
import { stringify } from 'yaml';
import { removeProjectObjects } from '../../support/docker-leftovers.js';
import type { E2eContext } from './context.js';

/** Distinct free TCP ports on 127.0.0.1 (listen on port 0, then release). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
    ports.add(port);
  }
  return [...ports];
}

/**
 * The repository's CLI (`dist/` from the global setup's `npm run build`). Tests that must not break when
 * someone rebuilds `dist/` mid-run use the private copy instead: `binOf(inject('e2e'))`.
 */
export const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));

/** The CLI of the private package copy the global setup compiled. */
export function binOf(ctx: E2eContext): string {
  return path.join(ctx.packageRoot, 'bin', 'run.js');
}

const PORTED = [
  'inference-chat',
  'inference-code',
  'api-gateway',
  'embedding',
  'rag',
  'postgres',
  'mcp-server',
  'prometheus',
  'alertmanager',
  'node-exporter',
] as const;

/** One test's own project: a unique name, random host ports, its own state dir and config file. */
export class TestSuite {
  readonly project = `e2e-${randomBytes(4).toString('hex')}`;
  ports: Record<string, number> = {};
  dir = '';
  configFile = '';

  constructor(private readonly ctx: E2eContext) {}

  /** The CLI of the private package copy the global setup compiled. */
  get bin(): string {
    return binOf(this.ctx);
  }

  async init(extra: Record<string, unknown> = {}): Promise<this> {
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-e2e-'));
    const ports = await freePorts(PORTED.length);
    this.ports = Object.fromEntries(PORTED.map((name, i) => [name, ports[i] as number]));
    await this.writeConfig(extra);
    return this;
  }

  /** The test bed's config: stand-in images, the Node base with headers, the host CA for npm. */
  async writeConfig(extra: Record<string, unknown> = {}): Promise<void> {
    this.configFile = path.join(this.dir, 'aisuite.yaml');
    const config = {
      project: this.project,
      images: this.ctx.images,
      build: { nodeImage: this.ctx.nodeImage, useSystemCa: true },
      ports: this.ports,
      ...extra,
    };
    await writeFile(this.configFile, stringify(config));
  }

  get env(): NodeJS.ProcessEnv {
    return {
      AISUITE_STATE_DIR: path.join(this.dir, 'state'),
      AISUITE_RENDERER: 'verbose',
      NO_COLOR: '1',
    };
  }

  /** Run the built CLI against this project's config; never throws on a non-zero exit. */
  run(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Result> {
    return execa(process.execPath, [this.bin, ...args, '--config', this.configFile], {
      reject: false,
      env: { ...this.env, ...options.env },
      timeout: options.timeoutMs ?? 480_000,
    });
  }

  /** Remove whatever the project left (containers, network, volumes) and the temp dir. */
  async cleanup(): Promise<void> {
    await removeProjectObjects(this.project);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Parse the JSON a `--json` run printed on stdout, with the run's output in the error when it is not JSON. */
export function json<T>(result: Result): T {
  try {
    return JSON.parse(String(result.stdout)) as T;
  } catch {
    throw new Error(
      `not JSON (exit ${result.exitCode}):\nstdout: ${String(result.stdout)}\nstderr: ${String(result.stderr)}`,
    );
  }
}
