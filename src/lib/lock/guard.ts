import { appendAudit, type AuditAction } from '../audit/audit.js';
import { withLock } from './lock.js';

/**
 * A change guarded by the project's lock and written to the audit log, ok or failed: what `down` (and any
 * other state-changing command without a release) wraps its work in.
 */
export async function lockedChange<T>(
  project: string,
  action: AuditAction,
  options: {
    flags: { 'lock-wait'?: number; 'force-unlock'?: boolean };
    signal?: AbortSignal;
    warn?: (message: string) => void;
    describe?: (result: T) => Record<string, unknown>;
  },
  fn: () => Promise<T>,
): Promise<T> {
  return withLock(
    project,
    action,
    {
      waitSeconds: options.flags['lock-wait'],
      forceUnlock: options.flags['force-unlock'],
      signal: options.signal,
      onBroken: async (holder, reason) => {
        options.warn?.(`broke a stale lock: ${reason}`);
        await appendAudit(project, {
          action: 'force-unlock',
          result: 'ok',
          message: reason,
          details: { holder },
        });
      },
    },
    async () => {
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
    },
  );
}
