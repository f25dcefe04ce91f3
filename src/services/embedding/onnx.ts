/**
 * The ONNX backend: transformers.js feature extraction from a local models directory, with remote
 * downloads off. `@huggingface/transformers` (and its ~290 MB onnxruntime-node) is an optional peer
 * dependency, so it is imported here, lazily, and only when this backend is chosen.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Tensor } from '@huggingface/transformers';
import { since, type Embedder } from './backend.js';
import type { Pooling } from './config.js';

/** `org/name` or `name`: letters, digits, `._-`; nothing that could leave the models directory. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,127})?$/;

export class ModelLoadError extends Error {
  constructor(
    message: string,
    readonly code: 'model_not_found' | 'backend_not_installed' | 'model_load_failed',
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/** Pooling from sentence-transformers' `1_Pooling/config.json`, else CLS for bge models, else mean. */
export function choosePooling(modelDir: string, model: string, override?: Pooling): Pooling {
  if (override) return override;
  const file = path.join(modelDir, '1_Pooling', 'config.json');
  if (existsSync(file)) {
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (cfg.pooling_mode_cls_token === true) return 'cls';
    if (cfg.pooling_mode_mean_tokens === true) return 'mean';
  }
  return /(^|\/)bge-/i.test(model) ? 'cls' : 'mean';
}

interface TokenizerOutput {
  input_ids: Tensor;
  attention_mask: Tensor;
}

interface FeaturePipeline {
  tokenizer: (texts: string[], opts: { padding: boolean; truncation: boolean }) => TokenizerOutput;
  model: (inputs: TokenizerOutput) => Promise<Record<string, Tensor | undefined>>;
  dispose(): Promise<void>;
}

export async function createOnnxEmbedder(opts: {
  modelsDir: string;
  model: string;
  pooling?: Pooling;
}): Promise<Embedder> {
  const { model } = opts;
  if (!MODEL_NAME.test(model)) throw new ModelLoadError(`invalid model name "${model}"`, 'model_not_found');
  const modelsDir = path.resolve(opts.modelsDir);
  const dir = path.join(modelsDir, model);
  if (!existsSync(path.join(dir, 'config.json')) || !existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    throw new ModelLoadError(
      `model "${model}" not found: expected ${dir}/config.json and ${dir}/onnx/model.onnx (see docs/services.md, "Adding a model")`,
      'model_not_found',
    );
  }
  let tf: typeof import('@huggingface/transformers');
  try {
    tf = await import('@huggingface/transformers');
  } catch (e) {
    throw new ModelLoadError(
      `the onnx backend needs the optional package @huggingface/transformers (${(e as Error).message}); ` +
        'install it next to aisuite or use EMBEDDING_BACKEND=hashing',
      'backend_not_installed',
    );
  }
  tf.env.localModelPath = `${modelsDir}/`;
  tf.env.allowLocalModels = true;
  tf.env.allowRemoteModels = false;
  const pooling = choosePooling(dir, model, opts.pooling);
  let pipe: FeaturePipeline;
  try {
    pipe = (await tf.pipeline('feature-extraction', model, { dtype: 'fp32' })) as unknown as FeaturePipeline;
  } catch (e) {
    throw new ModelLoadError(`loading "${model}" failed: ${(e as Error).message}`, 'model_load_failed');
  }

  const run = async (texts: string[], time?: (p: 'tokenization' | 'inference', s: number) => void) => {
    let t0 = process.hrtime.bigint();
    const inputs = pipe.tokenizer(texts, { padding: true, truncation: true });
    time?.('tokenization', since(t0));
    t0 = process.hrtime.bigint();
    const out = await pipe.model(inputs);
    // Feature-extraction models return last_hidden_state; MLM exports (the test model) only logits.
    const tokens = out.last_hidden_state ?? out.logits ?? out.token_embeddings;
    if (!tokens)
      throw new Error(`model "${model}" returned none of last_hidden_state, logits, token_embeddings`);
    const pooled =
      pooling === 'mean' ? tf.mean_pooling(tokens, inputs.attention_mask) : tokens.slice(null, 0);
    const vectors = pooled.normalize(2, -1).tolist() as number[][];
    time?.('inference', since(t0));
    return vectors;
  };
  // The real dimension comes from the model itself (30522 for the MLM test model, 384 for bge-small).
  const probe = await run(['dimension probe']);
  const dimension = probe[0]?.length ?? 0;

  return {
    info: {
      backend: 'onnx',
      model,
      dimension,
      semantic: true,
      pooling,
      normalized: true,
      description: `transformers.js (onnxruntime-node) from ${dir}, ${pooling} pooling`,
    },
    embed: (texts, time) => run([...texts], time),
    dispose: () => pipe.dispose(),
  };
}
