/**
 * The service kit shared by every aisuite service: fastify app with /livez, /readyz, /health,
 * /metrics, JSON logs with request ids, the OpenAI error envelope, env validation and graceful
 * shutdown. See docs/services.md ("Service kit").
 */
export { createService, type Service, type ServiceOptions, type ReadyState } from './service.js';
export {
  env,
  kitEnv,
  loadEnv,
  describeEnv,
  parseDuration,
  EnvError,
  type EnvSpec,
  type EnvVar,
  type EnvValues,
} from './env.js';
export { HttpError, openAIError, errorTypeFor, toErrorResponse, type OpenAIErrorBody } from './errors.js';
export { Check, type CheckOptions, type CheckResult, type CheckState } from './checks.js';
export { createHttpMetrics, createServiceRegistry, HTTP_BUCKETS, type HttpMetrics } from './http-metrics.js';
export { createLogger } from './logger.js';
export { startFromMain, type RunningService, type StartFn } from './main.js';
export { serviceFromEnv } from './from-env.js';
