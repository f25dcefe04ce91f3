/**
 * mock-inference: an OpenAI-compatible stand-in for llama.cpp's server in the CPU profile, with
 * deterministic output, SSE streaming, latency knobs and failure injection (docs/services.md).
 */
import { HttpError, loadEnv, serviceFromEnv, type RunningService } from '../kit/index.js';
import { FAILURE_TYPES, mockInferenceEnv, type FailureType } from './config.js';
import { Faults } from './faults.js';
import { createMockInferenceMetrics } from './metrics.js';
import { registerOpenAIRoutes } from './openai-routes.js';
import { Slots } from './slots.js';

export { createMockInferenceMetrics } from './metrics.js';
export { mockInferenceEnv } from './config.js';

export const VERSION = '0.1.0';

export async function start(environment: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const cfg = loadEnv(mockInferenceEnv, environment);
  // llama.cpp serves its own /health shape; the kit's JSON detail stays off here.
  const svc = serviceFromEnv(cfg, {
    name: 'mock-inference',
    version: VERSION,
    bodyLimit: 16 * 1024 * 1024,
    healthRoute: false,
  });
  const metrics = createMockInferenceMetrics(svc.registry);
  const faults = new Faults(cfg.MOCK_FAILURE_RATE, cfg.MOCK_FAILURE_TYPE, cfg.MOCK_SEED);
  const settings = {
    model: cfg.MODEL_NAME,
    seed: cfg.MOCK_SEED,
    ttftMs: cfg.MOCK_TTFT,
    itlMs: cfg.MOCK_ITL,
    maxTokens: cfg.MOCK_MAX_TOKENS,
    retryAfterMs: cfg.MOCK_RETRY_AFTER,
    hangMs: cfg.MOCK_HANG_TIME,
  };

  svc.app.get('/health', async (_req, reply) => {
    if (svc.state === 'ready') return { status: 'ok' };
    return reply
      .code(503)
      .send({ error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
  });
  registerOpenAIRoutes(svc, settings, faults, metrics, new Slots(cfg.MOCK_PARALLEL));

  if (cfg.MOCK_ADMIN) {
    svc.app.get('/mock/faults', async () => ({ rate: faults.rate, type: faults.type }));
    svc.app.put('/mock/faults', async (req) => {
      const b = (req.body ?? {}) as { rate?: unknown; type?: unknown };
      if (b.rate !== undefined && (typeof b.rate !== 'number' || b.rate < 0 || b.rate > 1)) {
        throw new HttpError(400, "'rate' must be a number between 0 and 1", { param: 'rate' });
      }
      if (b.type !== undefined && !FAILURE_TYPES.includes(b.type as FailureType)) {
        throw new HttpError(400, `'type' must be one of ${FAILURE_TYPES.join(', ')}`, { param: 'type' });
      }
      if (typeof b.rate === 'number') faults.rate = b.rate;
      if (b.type !== undefined) faults.type = b.type as FailureType;
      svc.log.warn({ rate: faults.rate, type: faults.type }, 'failure injection changed');
      return { rate: faults.rate, type: faults.type };
    });
  }

  const url = await svc.listen();
  svc.log.info({ model: cfg.MODEL_NAME, load_time_ms: cfg.MOCK_LOAD_TIME }, 'loading model');
  const loaded = setTimeout(() => svc.setReady('ready'), cfg.MOCK_LOAD_TIME);
  if (cfg.MOCK_LOAD_TIME === 0) svc.setReady('ready');
  return {
    url,
    close: async (signal) => {
      clearTimeout(loaded);
      await svc.close(signal);
    },
  };
}
