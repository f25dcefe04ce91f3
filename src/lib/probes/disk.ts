import fs from 'node:fs/promises';
import { nearestExisting } from '../preflight/disk.js';
import { fail, pass, type DiskProbeSpec, type Probe, type ProbeOutcome } from './types.js';

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
