import type { Service, ServiceOptions } from './service.js';
import { createService } from './service.js';
import type { EnvValues, kitEnv } from './env.js';

/** createService with the kit's common variables (PORT, HOST, LOG_LEVEL, SHUTDOWN_GRACE) applied. */
export function serviceFromEnv(
  cfg: EnvValues<typeof kitEnv>,
  opts: Omit<ServiceOptions, 'port' | 'host' | 'logLevel' | 'shutdownGraceMs'>,
): Service {
  return createService({
    ...opts,
    port: cfg.PORT,
    host: cfg.HOST,
    logLevel: cfg.LOG_LEVEL,
    shutdownGraceMs: cfg.SHUTDOWN_GRACE,
  });
}
