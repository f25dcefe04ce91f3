import fs from 'node:fs/promises';
import path from 'node:path';
import { fail, pass, type DiskProbeSpec, type Probe, type ProbeOutcome } from './types.js';

/** The path itself or its nearest existing parent (the directory a volume or model dir will live in). */
async function nearestExisting(p: string): Promise<string> {
  let current = path.resolve(p);
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

/** Disk probe: free space on the file system holding a path. */
export class DiskProbe implements Probe {
  readonly kind = 'disk';
  constructor(private readonly spec: DiskProbeSpec) {}

  async run(): Promise<ProbeOutcome> {
    const where = await nearestExisting(this.spec.path);
    const stats = await fs.statfs(where);
    const freeMiB = Math.floor((stats.bavail * stats.bsize) / 1024 / 1024);
    const observed = { path: where, freeMiB };
    const need = this.spec.minFreeMiB;
    if (freeMiB < need) return fail(`${freeMiB} MiB free on ${where} (need ${need} MiB)`, observed);
    return pass(`${freeMiB} MiB free on ${where}`, observed);
  }
}
