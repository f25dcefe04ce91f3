import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { projectStateDir } from '../paths.js';
import { canonicalJson, sha256 } from '../suite/hash.js';
import { sortByDeployment } from './select.js';
import { RELEASE_FORMAT, type CorruptRelease, type ReleaseEnvelope, type ReleaseRecord } from './types.js';

const TAG = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A tag is a file name and a Docker label value: letters, digits, `_ . -`, at most 128 characters. */
export function assertValidTag(tag: string): void {
  if (!TAG.test(tag)) {
    throw new UserError(`invalid release tag ${JSON.stringify(tag)}`, {
      hint: 'Use letters, digits, "_", "." and "-" (at most 128 characters), starting with a letter or digit.',
      code: 'INVALID_TAG',
    });
  }
}

export function releasesDir(project: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(projectStateDir(project, env), 'releases');
}

export function releaseFile(project: string, tag: string, env: NodeJS.ProcessEnv = process.env): string {
  assertValidTag(tag);
  return path.join(releasesDir(project, env), `${tag}.json`);
}

export function recordChecksum(record: ReleaseRecord): string {
  return `sha256:${sha256(canonicalJson(record))}`;
}

/** Write a record atomically (temp file, fsync, rename, fsync dir), mode 0600: files may hold receiver URLs. */
export async function writeRelease(
  record: ReleaseRecord,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const file = releaseFile(record.project, record.tag, env);
  const envelope: ReleaseEnvelope = { format: RELEASE_FORMAT, checksum: recordChecksum(record), record };
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(envelope)}\n`, 0o600);
  return file;
}

export type ReadOutcome =
  | { readonly ok: true; readonly record: ReleaseRecord; readonly file: string }
  | { readonly ok: false; readonly corrupt: CorruptRelease };

/** Parse and verify one record file: valid JSON, known format, matching checksum, tag matching its name. */
export function parseRelease(file: string, text: string): ReadOutcome {
  const tag = path.basename(file, '.json');
  const bad = (reason: string): ReadOutcome => ({ ok: false, corrupt: { file, tag, reason } });
  let envelope: Partial<ReleaseEnvelope>;
  try {
    envelope = JSON.parse(text) as Partial<ReleaseEnvelope>;
  } catch (error) {
    return bad(`not valid JSON (truncated or damaged): ${(error as Error).message}`);
  }
  if (!envelope || typeof envelope !== 'object') return bad('not a release record');
  if (envelope.format !== RELEASE_FORMAT) return bad(`unknown format ${JSON.stringify(envelope.format)}`);
  if (!envelope.record || typeof envelope.checksum !== 'string') return bad('record or checksum missing');
  const actual = recordChecksum(envelope.record);
  if (actual !== envelope.checksum)
    return bad(`checksum mismatch: stored ${envelope.checksum}, content ${actual}`);
  if (envelope.record.tag !== tag) return bad(`file name says ${tag}, record says ${envelope.record.tag}`);
  return { ok: true, record: envelope.record, file };
}

/** Read one release; undefined when it does not exist. */
export async function readRelease(
  project: string,
  tag: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReadOutcome | undefined> {
  const file = releaseFile(project, tag, env);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseRelease(file, text);
}

export interface ReleaseList {
  /** Verified records, newest deployment first. */
  readonly records: ReleaseRecord[];
  readonly corrupt: CorruptRelease[];
}

/** The record files in a releases directory (`<tag>.json`, sorted; not temp files or the cache); none when absent. */
export async function recordFileNames(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Every release of the project; corrupt files are listed apart, never mixed in. */
export async function listReleases(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReleaseList> {
  const dir = releasesDir(project, env);
  const records: ReleaseRecord[] = [];
  const corrupt: CorruptRelease[] = [];
  for (const name of await recordFileNames(dir)) {
    const file = path.join(dir, name);
    const outcome = parseRelease(file, await fs.readFile(file, 'utf8'));
    if (outcome.ok) records.push(outcome.record);
    else corrupt.push(outcome.corrupt);
  }
  return { records: sortByDeployment(records), corrupt };
}

export async function deleteRelease(project: string, tag: string, env: NodeJS.ProcessEnv = process.env) {
  await fs.rm(releaseFile(project, tag, env), { force: true });
}

/** The error for a command that must not act on damaged state. */
export function corruptStateError(corrupt: readonly CorruptRelease[], what: string): UserError {
  return new UserError(
    `refusing to ${what}: ${corrupt.length} release record(s) are damaged:\n` +
      corrupt.map((c) => `  ${c.file}: ${c.reason}`).join('\n'),
    {
      code: 'RELEASE_CORRUPT',
      hint: 'Nothing was changed. Move the damaged file(s) out of the releases directory (they cannot be used), then retry.',
      details: { corrupt },
    },
  );
}
