import { queryGpus, type GpuProbe } from '../gpu/nvidia-smi.js';
import { describeMissingModels, missingModelFiles } from '../suite/resolve.js';
import type { SuiteSpec } from '../suite/types.js';
import type { PreflightCheck } from './types.js';

/** The GGUF files the GPU profile needs are in the models directory. */
export function checkModels(suite: SuiteSpec): PreflightCheck {
  const missing = missingModelFiles(suite);
  if (missing.length === 0) {
    return { id: 'models', ok: true, message: `model files present in ${suite.modelsDir}` };
  }
  return { id: 'models', ok: false, ...describeMissingModels(suite, missing), details: { missing } };
}

/** nvidia-smi sees at least one GPU. */
export async function checkGpu(probe?: () => Promise<GpuProbe>): Promise<PreflightCheck> {
  const result = await (probe ?? (() => queryGpus()))();
  if (!result.available) {
    return {
      id: 'gpu',
      ok: false,
      message: `no GPU visible: ${result.reason}`,
      hint: 'Install the NVIDIA driver and the NVIDIA Container Toolkit, or use --cpu.',
    };
  }
  const names = result.gpus.map(
    (g) => `${g.index}: ${g.name}${g.memoryTotalMiB ? ` (${g.memoryTotalMiB} MiB)` : ''}`,
  );
  return { id: 'gpu', ok: true, message: `GPU ${names.join(', ')}`, details: { gpus: result.gpus } };
}
