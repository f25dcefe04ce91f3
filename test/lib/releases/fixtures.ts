import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { renderSuite } from '../../../src/lib/render/index.js';
import { recordRelease } from '../../../src/lib/releases/record.js';
import type { ReleaseRecord } from '../../../src/lib/releases/types.js';
import { resolveSuite } from '../../../src/lib/suite/resolve.js';

/**
 * Record a release of a real resolved and rendered CPU suite (phase 1 unless given) (no engine involved), with the
 * given images and time, under AISUITE_STATE_DIR=state.
 */
export async function recordTestRelease(
  state: string,
  options: {
    project: string;
    tag?: string;
    at: string;
    status?: 'good' | 'failed';
    images?: { ref: string; id: string; services: string[] }[];
    bindAddress?: string;
    phase?: '1' | '2' | '3';
  },
): Promise<ReleaseRecord> {
  const env = { ...process.env, AISUITE_STATE_DIR: state };
  const resolved = await resolveSuite(
    { project: options.project, phase: options.phase ?? '1', cpu: true, 'bind-address': options.bindAddress },
    { missingModels: 'warn', env, cwd: state },
  );
  return recordRelease({
    resolved,
    files: await renderSuite(resolved.suite),
    images: options.images ?? [
      { ref: 'aisuite/services:0.1.0', id: 'sha256:' + 'a'.repeat(64), services: ['api-gateway'] },
    ],
    tag: options.tag,
    command: 'up',
    status: options.status ?? 'good',
    env,
    now: new Date(options.at),
  });
}

/**
 * A state directory for one describe block's tests (made before them, removed after): `state()` is its
 * path, `env()` the environment that points aisuite at it.
 */
export function tempStateDir(prefix: string): { state: () => string; env: () => NodeJS.ProcessEnv } {
  let dir = '';
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));
  return { state: () => dir, env: () => ({ ...process.env, AISUITE_STATE_DIR: dir }) };
}
