/**
 * Hook timeout for a `beforeAll` that may build the stand-in images cold, or wait for another test
 * file's build through the lock: about 2 minutes on a quiet 2-core machine, 5-6 under heavy load.
 */
export const BUILD_TIMEOUT_MS = 15 * 60_000;
