import { ExitCode, type ExitCodeValue } from './exit-codes.js';

export interface AisuiteErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  exitCode?: ExitCodeValue;
  /** Stable machine-readable code, e.g. `PORT_CONFLICT`. */
  code?: string;
  cause?: unknown;
  /** Extra structured detail for --json output (never secrets). */
  details?: Record<string, unknown>;
}

/** An error the user can act on: a message, what to try next, and an exit code. */
export class AisuiteError extends Error {
  readonly hint?: string;
  readonly exitCode: ExitCodeValue;
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: AisuiteErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AisuiteError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.USER_ERROR;
    this.code = options.code ?? 'USER_ERROR';
    this.details = options.details;
  }
}

/** Bad input (flags, config): exit code 2. */
export class UserError extends AisuiteError {
  constructor(message: string, options: Omit<AisuiteErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: ExitCode.USER_ERROR, code: options.code ?? 'USER_ERROR' });
    this.name = 'UserError';
  }
}

/** A subprocess or external system failed; names the command it ran. */
export class ExternalError extends AisuiteError {
  constructor(
    message: string,
    options: Omit<AisuiteErrorOptions, 'exitCode'> & { exitCode?: ExitCodeValue } = {},
  ) {
    super(message, {
      ...options,
      exitCode: options.exitCode ?? ExitCode.EXTERNAL,
      code: options.code ?? 'EXTERNAL',
    });
    this.name = 'ExternalError';
  }
}

/** Something that should never happen: a bug in aisuite. */
export class BugError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BugError';
  }
}

export function isAisuiteError(error: unknown): error is AisuiteError {
  return error instanceof AisuiteError;
}

const FS_REFUSALS: Readonly<Record<string, string>> = {
  EEXIST: 'a file is in the way',
  ENOTDIR: 'a file is in the way',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * Why the file system refused an operation, in words, when `error` is such a refusal (a location the
 * user or the machine must fix, not a bug in aisuite); undefined for any other error.
 */
export function fsRefusal(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? undefined : FS_REFUSALS[code];
}
