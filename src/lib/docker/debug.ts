import { redact } from '../secrets/redact.js';

let enabled = process.env.AISUITE_LOG_LEVEL === 'debug' || Boolean(process.env.AISUITE_DEBUG);

/** Turn the engine's debug log on or off (commands do it from --log-level). */
export function setDockerDebug(on: boolean): void {
  enabled = on;
}

export function debug(message: string): void {
  if (enabled) process.stderr.write(`[docker] ${redact(message)}\n`);
}

/**
 * Run one engine call with a debug line before and after; a failure is logged with the object it was
 * about and re-thrown unchanged, so callers can still look at `statusCode`.
 */
export async function traced<T>(operation: string, subject: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  debug(`${operation} ${subject}`);
  try {
    const result = await fn();
    debug(`${operation} ${subject}: ok in ${Date.now() - started} ms`);
    return result;
  } catch (error) {
    debug(`${operation} ${subject}: failed in ${Date.now() - started} ms: ${(error as Error).message}`);
    throw error;
  }
}

/** HTTP status of a dockerode error, when it has one. */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}
