import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * llama.cpp server's own metric names (colons included), so dashboards and alerts are the same for
 * the GPU profile (llama.cpp --metrics) and the CPU profile (this mock).
 */
export function createMockInferenceMetrics(registry: Registry) {
  const registers = [registry];
  const promptTokens = new Counter({
    name: 'llamacpp:prompt_tokens_total',
    help: 'Number of prompt tokens processed.',
    registers,
  });
  const promptSeconds = new Counter({
    name: 'llamacpp:prompt_seconds_total',
    help: 'Prompt process time',
    registers,
  });
  const predictedTokens = new Counter({
    name: 'llamacpp:tokens_predicted_total',
    help: 'Number of generation tokens processed.',
    registers,
  });
  const predictedSeconds = new Counter({
    name: 'llamacpp:tokens_predicted_seconds_total',
    help: 'Predict process time',
    registers,
  });
  const decodes = new Counter({
    name: 'llamacpp:n_decode_total',
    help: 'Total number of llama_decode() calls',
    registers,
  });
  // llama.cpp reports average throughput of the work done so far; derive it at scrape time.
  const ratio = async (num: Counter, den: Counter): Promise<number> => {
    const n = (await num.get()).values[0]?.value ?? 0;
    const d = (await den.get()).values[0]?.value ?? 0;
    return d > 0 ? n / d : 0;
  };
  new Gauge({
    name: 'llamacpp:prompt_tokens_seconds',
    help: 'Average prompt throughput in tokens/s.',
    registers,
    async collect() {
      this.set(await ratio(promptTokens, promptSeconds));
    },
  });
  new Gauge({
    name: 'llamacpp:predicted_tokens_seconds',
    help: 'Average generation throughput in tokens/s.',
    registers,
    async collect() {
      this.set(await ratio(predictedTokens, predictedSeconds));
    },
  });
  const processing = new Gauge({
    name: 'llamacpp:requests_processing',
    help: 'Number of requests processing.',
    registers,
  });
  const deferred = new Gauge({
    name: 'llamacpp:requests_deferred',
    help: 'Number of requests deferred.',
    registers,
  });
  return { promptTokens, promptSeconds, predictedTokens, predictedSeconds, decodes, processing, deferred };
}

export type MockInferenceMetrics = ReturnType<typeof createMockInferenceMetrics>;
