import { compareStrings } from '../compare.js';
import type { ReleaseRecord } from './types.js';

/** The release running now: the good one deployed last (records sorted newest deployment first). */
export function currentRelease(records: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  return sortByDeployment(records).find((r) => r.status === 'good');
}

/**
 * The last good release deployed before the current one, the default target of `rollback`: passing over
 * one whose last checklist (a later `aisuite checklist` run on it) failed.
 */
export function previousGoodRelease(
  records: readonly ReleaseRecord[],
  current: string | undefined = currentRelease(records)?.tag,
): ReleaseRecord | undefined {
  return sortByDeployment(records).find(
    (r) => r.status === 'good' && r.checklist.status !== 'failed' && r.tag !== current,
  );
}

export function sortByDeployment<T extends Pick<ReleaseRecord, 'deployedAt' | 'createdAt'>>(
  records: readonly T[],
): T[] {
  return [...records].sort(
    (a, b) => compareStrings(b.deployedAt, a.deployedAt) || compareStrings(b.createdAt, a.createdAt),
  );
}
