/** The OpenAI error envelope every service answers with: `{"error":{"message","type","code"}}`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | number | null; param?: string | null };
}

/** OpenAI's `type` for a status, used when a thrower does not name one. */
export function errorTypeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'unavailable_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function openAIError(
  message: string,
  type: string,
  code: string | number | null = null,
  param?: string | null,
): OpenAIErrorBody {
  return { error: param === undefined ? { message, type, code } : { message, type, code, param } };
}

/**
 * An error a handler can throw to answer with a given status in the OpenAI envelope. `headers`
 * (e.g. Retry-After) are added to the response.
 */
export class HttpError extends Error {
  readonly type: string;
  constructor(
    readonly statusCode: number,
    message: string,
    readonly opts: {
      type?: string;
      code?: string | number | null;
      param?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.type = opts.type ?? errorTypeFor(statusCode);
  }

  toBody(): OpenAIErrorBody {
    return openAIError(this.message, this.type, this.opts.code ?? null, this.opts.param);
  }
}

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message: string;
  validation?: unknown;
}

/** Maps any thrown value (ours or fastify's) to a status and an envelope; 5xx hide internals. */
export function toErrorResponse(err: unknown): {
  status: number;
  body: OpenAIErrorBody;
  headers?: Record<string, string>;
} {
  if (err instanceof HttpError)
    return { status: err.statusCode, body: err.toBody(), headers: err.opts.headers };
  const e = (err ?? {}) as FrameworkError;
  if (err instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return {
      status: 400,
      body: openAIError(`Malformed JSON body: ${e.message}`, 'invalid_request_error', 'invalid_json'),
    };
  }
  const status =
    typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  if (status >= 500)
    return { status, body: openAIError('Internal server error', 'server_error', 'internal_error') };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: openAIError('Request body is too large', 'invalid_request_error', 'body_too_large'),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: openAIError(
          'Unsupported Content-Type; send application/json',
          'invalid_request_error',
          'unsupported_media_type',
        ),
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: openAIError('Request body is empty', 'invalid_request_error', 'invalid_json'),
      };
  }
  if (e.validation)
    return { status: 400, body: openAIError(e.message, 'invalid_request_error', 'invalid_request') };
  return { status, body: openAIError(e.message, errorTypeFor(status), e.code ?? null) };
}
