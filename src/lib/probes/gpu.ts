import { queryGpus } from '../gpu/nvidia-smi.js';
import { fail, pass, type GpuProbeSpec, type Probe, type ProbeContext, type ProbeOutcome } from './types.js';

/** GPU probe: nvidia-smi lists enough GPUs, each with enough free memory (the engine's parser). */
export class GpuProbe implements Probe {
  readonly kind = 'gpu';
  constructor(private readonly spec: GpuProbeSpec) {}

  async run(_ctx: ProbeContext): Promise<ProbeOutcome> {
    const result = await queryGpus(this.spec.binary);
    if (!result.available) return fail(result.reason);
    const { gpus } = result;
    const observed = gpus.map((g) => ({ index: g.index, name: g.name, memoryFreeMiB: g.memoryFreeMiB }));
    const minCount = this.spec.minCount ?? 1;
    if (gpus.length < minCount) return fail(`${gpus.length} GPU(s) visible (need ${minCount})`, observed);
    const minFree = this.spec.minFreeMemoryMiB;
    if (minFree !== undefined) {
      const short = gpus.filter((g) => (g.memoryFreeMiB ?? 0) < minFree);
      if (short.length > 0) {
        const shown = short.map((g) => `GPU ${g.index} ${g.memoryFreeMiB ?? '?'} MiB free`).join(', ');
        return fail(`${shown} (need ${minFree} MiB)`, observed);
      }
    }
    const names = gpus.map((g) => `${g.index}: ${g.name}, ${g.memoryFreeMiB ?? '?'} MiB free`).join('; ');
    return pass(`${gpus.length} GPU(s): ${names}`, observed);
  }
}
