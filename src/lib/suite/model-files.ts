import path from 'node:path';
import type { SuiteSpec } from './types.js';

/**
 * The model files the GPU profile's services read from the models directory: each llama.cpp
 * server's GGUF file, and the embedding service's ONNX model (what its loader requires first).
 */
export function modelFiles(suite: SuiteSpec): { kind: 'gguf' | 'onnx'; name: string; files: string[] }[] {
  const gguf = suite.services
    .filter((svc) => svc.gpu !== undefined)
    .map((svc) => svc.command?.[(svc.command?.indexOf('--model') ?? -2) + 1])
    .filter((f): f is string => f !== undefined)
    .map((f) => ({
      kind: 'gguf' as const,
      name: path.basename(f),
      files: [path.join(suite.modelsDir, path.basename(f))],
    }));
  const onnx = suite.services.flatMap((svc) => {
    const model = svc.environment.EMBEDDING_MODEL;
    if (svc.environment.EMBEDDING_BACKEND !== 'onnx' || !model) return [];
    const dir = path.join(suite.modelsDir, model);
    return [
      {
        kind: 'onnx' as const,
        name: model,
        files: [path.join(dir, 'config.json'), path.join(dir, 'onnx', 'model.onnx')],
      },
    ];
  });
  return [...gguf, ...onnx];
}
