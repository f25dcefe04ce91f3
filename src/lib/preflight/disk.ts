import fs from 'node:fs/promises';
import path from 'node:path';
import type { PreflightCheck } from './types.js';

/** Default minimum free space: model files need room in the GPU profile. */
export function defaultMinFreeGb(profile: 'cpu' | 'gpu', env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.AISUITE_MIN_FREE_DISK_GB);
  if (env.AISUITE_MIN_FREE_DISK_GB && Number.isFinite(fromEnv) && fromEnv >= 0) return fromEnv;
  return profile === 'gpu' ? 20 : 2;
}

/** The path itself or its nearest existing parent (statfs needs one; a volume or model dir may not exist yet). */
export async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      await fs.access(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** Free space on the file system holding `dir` (Docker's data root when it is on this host). */
export async function checkDisk(dir: string, minFreeGb: number): Promise<PreflightCheck> {
  const target = await nearestExisting(dir);
  const stats = await fs.statfs(target);
  const freeGb = (stats.bavail * stats.bsize) / 1024 ** 3;
  const details = { path: target, freeGb: Math.round(freeGb * 10) / 10, minFreeGb };
  if (freeGb >= minFreeGb) {
    return { id: 'disk', ok: true, message: `${details.freeGb} GB free on ${target}`, details };
  }
  return {
    id: 'disk',
    ok: false,
    message: `only ${details.freeGb} GB free on ${target}; at least ${minFreeGb} GB needed`,
    hint: 'Free some space (e.g. `docker system prune`), or lower the minimum with AISUITE_MIN_FREE_DISK_GB.',
    details,
  };
}
