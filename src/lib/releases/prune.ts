import type Docker from 'dockerode';
import { UserError } from '../errors.js';
import { corruptStateError, deleteRelease, listReleases } from './store.js';
import { currentRelease, sortByDeployment } from './select.js';
import type { ReleaseRecord } from './types.js';

/** The image operations prune needs (dockerode in the CLI). */
export interface PruneImageOps {
  idOf(ref: string): Promise<string | undefined>;
  /** Remove a tag or an image id; `in-use` when a container or another tag still needs it. */
  remove(refOrId: string): Promise<'removed' | 'in-use' | 'missing'>;
}

export interface PrunedImage {
  readonly ref: string;
  readonly id: string;
  readonly outcome: 'removed' | 'in-use' | 'missing' | 'kept';
  readonly reason?: string;
}

export interface PruneResult {
  readonly kept: readonly string[];
  readonly removed: readonly string[];
  readonly images: readonly PrunedImage[];
  readonly dryRun: boolean;
}

/** Image ids and refs that some release record refers to: aisuite's own clean-up must leave them alone. */
export function protectedImages(records: readonly ReleaseRecord[]): { ids: Set<string>; refs: Set<string> } {
  const ids = new Set<string>();
  const refs = new Set<string>();
  for (const r of records) {
    for (const image of r.images) {
      ids.add(image.id);
      refs.add(image.ref);
    }
  }
  return { ids, refs };
}

/**
 * Keep the `keep` most recently deployed releases (the current one always) and delete the older records
 * and the images only they referred to. Refuses to act when any record is damaged, since the images a
 * damaged record refers to cannot be known.
 */
export async function pruneReleases(
  project: string,
  keep: number,
  options: { images: PruneImageOps; dryRun?: boolean; env?: NodeJS.ProcessEnv },
): Promise<PruneResult> {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new UserError(`--keep must be at least 1 (got ${keep})`, { code: 'INVALID_KEEP' });
  }
  const { records, corrupt } = await listReleases(project, options.env);
  if (corrupt.length > 0) throw corruptStateError(corrupt, 'prune');
  const current = currentRelease(records)?.tag;
  const ordered = sortByDeployment(records);
  const keepSet = new Set(ordered.slice(0, keep).map((r) => r.tag));
  if (current) keepSet.add(current);
  const kept = ordered.filter((r) => keepSet.has(r.tag));
  const dropped = ordered.filter((r) => !keepSet.has(r.tag));
  const stillNeeded = protectedImages(kept);

  const images: PrunedImage[] = [];
  const seen = new Set<string>();
  for (const record of dropped) {
    for (const image of record.images) {
      if (seen.has(image.id)) continue;
      seen.add(image.id);
      if (stillNeeded.ids.has(image.id)) {
        images.push({ ref: image.ref, id: image.id, outcome: 'kept', reason: 'a kept release uses it' });
        continue;
      }
      if (options.dryRun) {
        images.push({ ref: image.ref, id: image.id, outcome: 'removed', reason: 'dry run' });
        continue;
      }
      // untag the ref only when it still points to this image and no kept release uses the ref;
      // otherwise remove the (by now untagged) image by id
      const refTarget = await options.images.idOf(image.ref);
      const target = refTarget === image.id && !stillNeeded.refs.has(image.ref) ? image.ref : image.id;
      const outcome =
        refTarget === image.id && stillNeeded.refs.has(image.ref)
          ? 'in-use'
          : await options.images.remove(target);
      images.push({
        ref: image.ref,
        id: image.id,
        outcome,
        ...(outcome === 'in-use' ? { reason: 'a container or another tag still uses it' } : {}),
      });
    }
  }
  if (!options.dryRun) for (const record of dropped) await deleteRelease(project, record.tag, options.env);
  return {
    kept: kept.map((r) => r.tag),
    removed: dropped.map((r) => r.tag),
    images,
    dryRun: options.dryRun ?? false,
  };
}

/** PruneImageOps over dockerode. */
export function dockerImageOps(docker: Docker): PruneImageOps {
  const status = (error: unknown) => (error as { statusCode?: number }).statusCode;
  return {
    async idOf(ref) {
      try {
        return (await docker.getImage(ref).inspect()).Id;
      } catch (error) {
        if (status(error) === 404) return undefined;
        throw error;
      }
    },
    async remove(refOrId) {
      try {
        await docker.getImage(refOrId).remove();
        return 'removed';
      } catch (error) {
        if (status(error) === 404) return 'missing';
        if (status(error) === 409) return 'in-use';
        throw error;
      }
    },
  };
}
