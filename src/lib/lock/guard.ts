import { appendAudit, type AuditAction } from '../audit/audit.js';
import { withLock, type LockOptions } from './lock.js';

export { withLock };

/** The lock flags every state-changing command takes (`--lock-wait`, `--force-unlock`). */
export interface LockFlags {
  readonly 'lock-wait'?: number;
  readonly 'force-unlock'?: boolean;
}

/**
 * Lock options from the command's flags: waiting is said (info), and a stale lock that is broken is
 * said (warn) and written to the audit log.
 */
export function auditedLockOptions(
  project: string,
  flags: LockFlags,
  options: {
    signal?: AbortSignal;
    env?: NodeJS.ProcessEnv;
    info?: (message: string) => void;
    warn?: (message: string) => void;
  },
): LockOptions {
  return {
    waitSeconds: flags['lock-wait'],
    forceUnlock: flags['force-unlock'],
    signal: options.signal,
    env: options.env,
    onWait: () => options.info?.(`waiting up to ${flags['lock-wait']}s for the lock of project ${project}`),
    onBroken: async (holder, reason) => {
      options.warn?.(`broke a stale lock: ${reason}`);
      await appendAudit(
        project,
        { action: 'force-unlock', result: 'ok', message: reason, details: { holder } },
        options.env,
      );
    },
  };
}

/**
 * A change guarded by the project's lock and written to the audit log, ok or failed: what `down` (and any
 * other state-changing command without a release) wraps its work in.
 */
export async function lockedChange<T>(
  project: string,
  action: AuditAction,
  options: {
    flags: LockFlags;
    signal?: AbortSignal;
    info?: (message: string) => void;
    warn?: (message: string) => void;
    describe?: (result: T) => Record<string, unknown>;
  },
  fn: () => Promise<T>,
): Promise<T> {
  return withLock(project, action, auditedLockOptions(project, options.flags, options), async () => {
    try {
      const result = await fn();
      await appendAudit(project, { action, result: 'ok', details: options.describe?.(result) });
      return result;
    } catch (error) {
      await appendAudit(project, {
        action,
        result: 'failed',
        message: (error as Error).message.split('\n')[0],
      });
      throw error;
    }
  });
}
