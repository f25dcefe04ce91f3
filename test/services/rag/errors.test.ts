import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/services/kit/index.js';
import { DependencyUnavailableError } from '../../../src/services/rag/dependencies.js';
import { classify, isPostgresUnavailable } from '../../../src/services/rag/errors.js';
import { DimensionMismatchError } from '../../../src/services/rag/store.js';

describe('rag error mapping', () => {
  it('tells an unreachable or restarting Postgres from a bad statement', () => {
    expect(isPostgresUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isPostgresUnavailable(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isPostgresUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isPostgresUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isPostgresUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
    expect(isPostgresUnavailable(new Error('something else'))).toBe(false);
  });

  it('maps outages to 503 with Retry-After and the dependency to blame', () => {
    const e = classify(
      new DependencyUnavailableError('embedding', 'embedding service unreachable: ECONNREFUSED'),
    );
    expect(e.outcome).toBe('unavailable');
    expect(e.dependency).toBe('embedding');
    expect(e.error).toBeInstanceOf(HttpError);
    expect((e.error as HttpError).statusCode).toBe(503);
    expect((e.error as HttpError).opts.headers).toEqual({ 'retry-after': '5' });
    expect(classify(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).dependency).toBe('postgres');
  });

  it('keeps client errors as such and leaves unknown errors as 500s', () => {
    expect(classify(new HttpError(404, 'nope')).outcome).toBe('client_error');
    const mismatch = classify(new DimensionMismatchError('c', 384, 768));
    expect((mismatch.error as HttpError).statusCode).toBe(409);
    const bug = new TypeError('bug');
    expect(classify(bug)).toEqual({ error: bug, outcome: 'error' });
  });
});
