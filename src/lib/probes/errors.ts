/** A one-line reason for a failed network call (fetch hides the useful part in `cause`). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'timed out';
  const cause = error.cause as { code?: string; message?: string } | undefined;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  if (cause?.message) return cause.message;
  return error.message;
}
