/** Maps what can go wrong in an index or query request to an HTTP answer and a metric status. */
import { HttpError } from '../kit/index.js';
import { DependencyUnavailableError } from './dependencies.js';
import { DimensionMismatchError, ModelMismatchError } from './store.js';

/** Seconds a client should wait before retrying while a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

/** True for errors that mean "Postgres cannot be reached or is restarting", not a bad statement. */
export function isPostgresUnavailable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  const code = err?.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE'].includes(code))
    return true;
  // 08: connection exception; 57P01-3: admin/crash shutdown, cannot connect now; 53300: too many connections
  if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(
    err?.message ?? '',
  );
}

export type Outcome = 'success' | 'client_error' | 'unavailable' | 'error';

/** The HttpError to answer with, the outcome label, and the dependency to blame (if any). */
export function classify(e: unknown): {
  error: unknown;
  outcome: Outcome;
  dependency?: 'postgres' | 'embedding' | 'gateway';
} {
  if (e instanceof HttpError) return { error: e, outcome: e.statusCode < 500 ? 'client_error' : 'error' };
  if (e instanceof DimensionMismatchError) {
    return { error: new HttpError(409, e.message, { code: 'dimension_mismatch' }), outcome: 'client_error' };
  }
  if (e instanceof ModelMismatchError) {
    return {
      error: new HttpError(409, e.message, { code: 'embedding_model_mismatch' }),
      outcome: 'client_error',
    };
  }
  const retry = { 'retry-after': String(RETRY_AFTER_SECONDS) };
  if (e instanceof DependencyUnavailableError) {
    return {
      error: new HttpError(503, `${e.message}; retry later`, {
        code: `${e.dependency}_unavailable`,
        headers: retry,
      }),
      outcome: 'unavailable',
      dependency: e.dependency,
    };
  }
  if (isPostgresUnavailable(e)) {
    return {
      error: new HttpError(503, 'the database is unavailable; retry later', {
        code: 'postgres_unavailable',
        headers: retry,
      }),
      outcome: 'unavailable',
      dependency: 'postgres',
    };
  }
  return { error: e, outcome: 'error' };
}
