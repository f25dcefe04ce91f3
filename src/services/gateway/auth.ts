import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../kit/index.js';

/** A constant-time Bearer-token check; the key itself is never logged or echoed. */
export function apiKeyChecker(apiKey: string): (authorization: string | undefined) => void {
  const want = createHash('sha256').update(apiKey).digest();
  return (authorization) => {
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!m) {
      throw new HttpError(401, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", {
        type: 'invalid_request_error',
        code: 'missing_api_key',
      });
    }
    const got = createHash('sha256')
      .update((m[1] ?? '').trim())
      .digest();
    if (!timingSafeEqual(got, want)) {
      throw new HttpError(401, 'Incorrect API key provided.', {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      });
    }
  };
}
