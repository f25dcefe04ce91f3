import os from 'node:os';
import type { RenderedFile } from '../render/types.js';
import type { ResolvedSuite } from '../suite/resolve.js';
import { sha256 } from '../suite/hash.js';
import { packageVersion } from '../version.js';
import { contentHash, dataSchema, defaultTag, environmentHash } from './content.js';
import { readRelease, writeRelease } from './store.js';
import type {
  ReleaseChecklist,
  ReleaseDeployment,
  ReleaseImage,
  ReleaseRecord,
  ReleaseStatus,
} from './types.js';

export interface RecordReleaseInput {
  readonly resolved: Pick<ResolvedSuite, 'suite' | 'options' | 'secretsFile'>;
  readonly files: readonly RenderedFile[];
  /** Images as applied (`ApplyResult.images`: ref, id, services). */
  readonly images: readonly { ref: string; id: string; services: readonly string[] }[];
  /** Explicit tag (`--tag`); default: version + content hash. */
  readonly tag?: string;
  readonly command: ReleaseDeployment['command'];
  readonly status: ReleaseStatus;
  readonly failure?: string;
  readonly checklist?: ReleaseChecklist;
  /** Registry digests of an image id (from `docker image inspect`); default none. */
  readonly repoDigests?: (id: string) => Promise<readonly string[]>;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: Date;
}

function user(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/**
 * Write (or update) the record of a release that was just applied. Re-applying an existing tag keeps
 * its creation time and appends a deployment; the record is replaced atomically.
 */
export async function recordRelease(input: RecordReleaseInput): Promise<ReleaseRecord> {
  const { suite, options, secretsFile } = input.resolved;
  const tag = input.tag ?? defaultTag(suite, input.files);
  const now = (input.now ?? new Date()).toISOString();
  const existing = await readRelease(suite.project, tag, input.env);
  const previous = existing?.ok ? existing.record : undefined;
  const images: ReleaseImage[] = [];
  // a failed apply knows no image ids: keep what an earlier apply of the same tag recorded
  if (input.images.length === 0 && previous) images.push(...previous.images);
  for (const image of input.images) {
    const repoDigests = input.repoDigests ? await input.repoDigests(image.id).catch(() => []) : [];
    images.push({
      ref: image.ref,
      id: image.id,
      repoDigests: [...repoDigests],
      services: [...image.services],
    });
  }
  const deployment: ReleaseDeployment = {
    at: now,
    command: input.command,
    user: user(),
    host: os.hostname(),
    status: input.status,
  };
  const record: ReleaseRecord = {
    tag,
    project: suite.project,
    createdAt: previous?.createdAt ?? now,
    deployedAt: now,
    user: user(),
    host: os.hostname(),
    aisuiteVersion: packageVersion(),
    status: input.status,
    ...(input.failure ? { failure: input.failure } : {}),
    contentHash: contentHash(suite, input.files),
    suite,
    options,
    secretsFile,
    files: input.files.map((f) => ({ path: f.path, content: f.content, sha256: sha256(f.content) })),
    images,
    envHash: await environmentHash(suite, secretsFile),
    dataSchema: dataSchema(suite),
    checklist: input.checklist ?? { status: 'not-run' },
    // the last 20 deployments are plenty for an audit trail; the audit log has them all
    deployments: [...(previous?.deployments ?? []), deployment].slice(-20),
  };
  await writeRelease(record, input.env);
  return record;
}

/** Mark an existing release as deployed again (rollback, auto-revert) with its new status. */
export async function markDeployed(
  record: ReleaseRecord,
  update: {
    command: ReleaseDeployment['command'];
    status: ReleaseStatus;
    failure?: string;
    checklist?: ReleaseChecklist;
    env?: NodeJS.ProcessEnv;
    now?: Date;
  },
): Promise<ReleaseRecord> {
  const now = (update.now ?? new Date()).toISOString();
  const { failure: _old, ...rest } = record;
  const next: ReleaseRecord = {
    ...rest,
    deployedAt: now,
    status: update.status,
    ...(update.failure ? { failure: update.failure } : {}),
    checklist: update.checklist ?? record.checklist,
    deployments: [
      ...record.deployments,
      { at: now, command: update.command, user: user(), host: os.hostname(), status: update.status },
    ].slice(-20),
  };
  await writeRelease(next, update.env);
  return next;
}
