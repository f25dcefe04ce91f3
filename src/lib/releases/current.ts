import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';
import { currentRelease, sortByDeployment } from './select.js';
import { listReleases, parseRelease, readRelease, recordFileNames, releasesDir } from './store.js';
import type { CorruptRelease, ReleaseRecord } from './types.js';

/**
 * Listing releases and finding the current one without verifying every record. A record is ~40-220 KB
 * and its checksum is over its canonical JSON: ~3 ms each in a fresh CLI process, so `status` took
 * 460 ms with 100 phase 3 releases against 127 ms with none. The cache keeps a summary of each verified
 * record (what `aisuite releases` shows and choosing needs), keyed by the file's identity (inode, size,
 * mtime); a record whose file changed is read and verified again, a damaged one every time, and the
 * current one always is. The cache is never trusted over a record: anything it cannot confirm sends the
 * choice through the full read. `rollback` and `releases prune` read every record regardless.
 */
const CACHE = '.summaries.json';
const CACHE_FORMAT = 2;

/** What listing and choosing releases need of a record: `aisuite releases` prints these fields. */
export interface ReleaseSummary {
  readonly tag: string;
  readonly status: ReleaseRecord['status'];
  readonly failure: string | null;
  readonly createdAt: string;
  readonly deployedAt: string;
  readonly user: string;
  readonly host: string;
  readonly aisuiteVersion: string;
  readonly phase: number;
  readonly profile: string;
  readonly services: readonly string[];
  readonly images: readonly { ref: string; id: string; repoDigests: readonly string[] }[];
  readonly envHash: string;
  readonly contentHash: string;
  readonly checklist: ReleaseRecord['checklist'];
}

export function summaryOf(r: ReleaseRecord): ReleaseSummary {
  return {
    tag: r.tag,
    status: r.status,
    failure: r.failure ?? null,
    createdAt: r.createdAt,
    deployedAt: r.deployedAt,
    user: r.user,
    host: r.host,
    aisuiteVersion: r.aisuiteVersion,
    phase: r.suite.phase,
    profile: r.suite.profile,
    services: r.suite.services.map((s) => s.name),
    images: r.images.map((i) => ({ ref: i.ref, id: i.id, repoDigests: i.repoDigests })),
    envHash: r.envHash,
    contentHash: r.contentHash,
    checklist: r.checklist,
  };
}

/** The file a summary was taken from: a record is only ever replaced by a rename (a new inode). */
interface FileId {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

type Summary = ReleaseSummary & { readonly file: FileId };

const sameFile = (a: FileId, b: FileId) => a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

async function readCache(dir: string): Promise<Map<string, Summary>> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(dir, CACHE), 'utf8')) as {
      format?: number;
      summaries?: Summary[];
    };
    if (parsed.format !== CACHE_FORMAT || !Array.isArray(parsed.summaries)) return new Map();
    return new Map(parsed.summaries.map((s) => [s.tag, s]));
  } catch {
    return new Map(); // none yet, or damaged: every record is read
  }
}

/** The summary of one record file, from the cache when the file is the one it describes. */
async function summarise(
  file: string,
  cached: Summary | undefined,
  corrupt: CorruptRelease[],
): Promise<Summary | undefined> {
  const handle = await fs.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined; // removed meanwhile (prune)
    throw error;
  });
  if (!handle) return undefined;
  try {
    const st = await handle.stat();
    const id: FileId = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    if (cached?.file && sameFile(cached.file, id)) return cached;
    const outcome = parseRelease(file, await handle.readFile('utf8'));
    if (!outcome.ok) {
      corrupt.push(outcome.corrupt); // never considered; never cached, so read (and reported) every time
      return undefined;
    }
    return { ...summaryOf(outcome.record), file: id };
  } finally {
    await handle.close();
  }
}

/**
 * The release running now (the good one deployed last), for the commands that only want a default from
 * it (`up`, `checklist`, `status`): a damaged record only means it is not considered (`releases` reports
 * it). Same answer as `currentRelease(listReleases(...).records)`, reading only changed records.
 */
export async function currentReleaseOf(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReleaseRecord | undefined> {
  return (await chooseCurrent(project, env)).current;
}

/**
 * Every release's summary, newest deployment first, and the damaged record files (read each time: they
 * are never cached), as `listReleases` would give them, reading only the records that changed.
 */
export async function listSummaries(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ summaries: ReleaseSummary[]; corrupt: CorruptRelease[] }> {
  const dir = releasesDir(project, env);
  const names = await recordFileNames(dir);
  if (names.length === 0) return { summaries: [], corrupt: [] };
  const cache = await readCache(dir);
  const summaries: Summary[] = [];
  const corrupt: CorruptRelease[] = [];
  for (const name of names) {
    const summary = await summarise(path.join(dir, name), cache.get(path.basename(name, '.json')), corrupt);
    if (summary) summaries.push(summary);
  }
  if (summaries.length !== cache.size || summaries.some((s) => s !== cache.get(s.tag))) {
    // best effort: a cache that cannot be written only means the next run reads the records again
    await writeFileAtomic(
      path.join(dir, CACHE),
      `${JSON.stringify({ format: CACHE_FORMAT, summaries })}\n`,
      0o600,
    ).catch(() => undefined);
  }
  return { summaries: sortByDeployment(summaries).map(({ file: _file, ...s }) => s), corrupt };
}

/**
 * The current release (its record, read and verified) and the damaged record files seen on the way (for
 * `up` to warn about); `listed` when the caller already has the summaries.
 */
export async function chooseCurrent(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
  listed?: { summaries: readonly ReleaseSummary[]; corrupt: CorruptRelease[] },
): Promise<{ current?: ReleaseRecord; corrupt: CorruptRelease[] }> {
  const { summaries, corrupt } = listed ?? (await listSummaries(project, env));
  const pick = summaries.find((s) => s.status === 'good');
  if (!pick) return { corrupt };
  const chosen = await readRelease(project, pick.tag, env);
  if (chosen?.ok && chosen.record.status === 'good' && chosen.record.deployedAt === pick.deployedAt) {
    return { current: chosen.record, corrupt };
  }
  // the record changed between its summary and now (another run wrote it): choose from the records
  const all = await listReleases(project, env);
  return { current: currentRelease(all.records), corrupt: all.corrupt };
}
