import path from 'node:path';
import Docker from 'dockerode';
import { buildDebianImage } from './debian-rootfs.js';
import { buildDockerfileImage } from './dockerfile-build.js';
import { findHostNode, recipeHashes, type HostNode } from './hash.js';
import { withLock } from './lock.js';
import {
  CONTEXTS_DIR,
  HASH_LABEL,
  NAME_LABEL,
  RECIPES,
  STAND_IN_NAMES,
  debianMirror,
  isStandInName,
  type StandInName,
} from './recipes.js';

export { HASH_LABEL, NAME_LABEL, RECIPES, STAND_IN_NAMES, type StandInName } from './recipes.js';
export { BUILD_TIMEOUT_MS } from './timeouts.js';

export type EnsureOptions = {
  /** Progress lines; default: `[stand-in] ...` on stderr. */
  log?: (line: string) => void;
  /** How many images build at once (default AISUITE_STANDIN_CONCURRENCY or 3). */
  concurrency?: number;
  /** Rebuild, without the engine's layer cache, even when an image with the right hash exists. */
  force?: boolean;
  docker?: Docker;
};

export type BuildReport = { name: StandInName; ref: string; action: 'cached' | 'built'; seconds: number };

const defaultLog = (line: string) => process.stderr.write(`[stand-in] ${line}\n`);

// A build slot goes to the waiting build with the highest priority, so the longest builds start first
// and do not become the tail of a cold build. Dispatch waits one macrotask, so builds unblocked by the
// same base compete by priority rather than by who resumed first.
function semaphore(limit: number) {
  let active = 0;
  let scheduled = false;
  const queue: { priority: number; wake: () => void }[] = [];
  const dispatch = () => {
    scheduled = false;
    queue.sort((a, b) => b.priority - a.priority);
    while (active < limit && queue.length > 0) {
      active++;
      queue.shift()?.wake();
    }
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(dispatch);
    }
  };
  return async <T>(priority: number, fn: () => Promise<T>): Promise<T> => {
    await new Promise<void>((wake) => {
      queue.push({ priority, wake });
      schedule();
    });
    try {
      return await fn();
    } finally {
      active--;
      schedule();
    }
  };
}

async function labelOf(docker: Docker, ref: string): Promise<{ id: string; hash?: string } | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return { id: info.Id, hash: info.Config?.Labels?.[HASH_LABEL] };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

function validate(names: readonly string[]): StandInName[] {
  const unknown = names.filter((name) => !isStandInName(name));
  if (unknown.length > 0) {
    throw new Error(`unknown stand-in image(s): ${unknown.join(', ')} (known: ${STAND_IN_NAMES.join(', ')})`);
  }
  return names as StandInName[];
}

/**
 * Builds the stand-in images that are missing or out of date (and the bases they need) and reports
 * what it did for each. Safe to call from several processes at once: one builds, the others wait.
 */
export async function buildStandInImages(
  names: readonly string[] = STAND_IN_NAMES,
  options: EnsureOptions = {},
): Promise<BuildReport[]> {
  const wanted = validate(names);
  const docker = options.docker ?? new Docker();
  const log = options.log ?? defaultLog;
  const needsNode = wanted.some((name) => name === 'node');
  const hostNode: HostNode | undefined = needsNode ? await findHostNode() : undefined;
  const hashes = await recipeHashes(hostNode, wanted);
  const hashFor = (name: StandInName): string => {
    const hash = hashes[name];
    if (!hash) throw new Error(`no recipe hash for ${name}`); // a bug: every wanted image and base is hashed
    return hash;
  };

  const upToDate = async (name: StandInName) =>
    !options.force && (await labelOf(docker, RECIPES[name].ref))?.hash === hashes[name];

  // Fast path without the lock: the warm case is a handful of inspect calls.
  const stale = [];
  for (const name of wanted) if (!(await upToDate(name))) stale.push(name);
  if (stale.length === 0) {
    return wanted.map((name) => ({ name, ref: RECIPES[name].ref, action: 'cached', seconds: 0 }));
  }

  return withLock(
    'aisuite-stand-in-images',
    async () => {
      const limit = semaphore(options.concurrency ?? Number(process.env.AISUITE_STANDIN_CONCURRENCY ?? 3));
      const reports = new Map<StandInName, Promise<BuildReport>>();
      const ensure = (name: StandInName): Promise<BuildReport> => {
        let report = reports.get(name);
        if (!report) {
          report = ensureOne(name);
          reports.set(name, report);
        }
        return report;
      };
      const ensureOne = async (name: StandInName): Promise<BuildReport> => {
        const recipe = RECIPES[name];
        const before = await labelOf(docker, recipe.ref);
        if (!options.force && before?.hash === hashes[name]) {
          return { name, ref: recipe.ref, action: 'cached', seconds: 0 };
        }
        // The base is waited for outside the semaphore, so a waiting child never holds a build slot.
        if (recipe.kind === 'dockerfile') await ensure(recipe.base);
        return limit(recipe.expectedSeconds, async () => {
          const started = Date.now();
          const labels = { [HASH_LABEL]: hashFor(name), [NAME_LABEL]: name };
          const step = (line: string) => log(`${recipe.ref}: ${line}`);
          log(`building ${recipe.ref} (stand-in for ${recipe.replaces})`);
          try {
            if (recipe.kind === 'debootstrap') {
              await buildDebianImage(docker, {
                suite: recipe.suite,
                mirror: debianMirror(),
                ref: recipe.ref,
                labels,
                log: step,
              });
            } else {
              await buildDockerfileImage(docker, {
                contextDir: path.join(CONTEXTS_DIR, recipe.context),
                ref: recipe.ref,
                labels,
                hostNode: recipe.hostNode ? (hostNode ?? (await findHostNode())) : undefined,
                noCache: options.force,
                log: step,
              });
            }
          } catch (err) {
            throw new Error(`building stand-in ${recipe.ref} failed: ${(err as Error).message}`, {
              cause: err,
            });
          }
          const seconds = (Date.now() - started) / 1000;
          log(`built ${recipe.ref} in ${seconds.toFixed(1)}s`);
          // The replaced image is now untagged; drop it unless a container still uses it.
          if (before && before.id !== (await labelOf(docker, recipe.ref))?.id) {
            await docker
              .getImage(before.id)
              .remove()
              .catch(() => undefined);
          }
          return { name, ref: recipe.ref, action: 'built', seconds } satisfies BuildReport;
        });
      };
      // Start everything, wait for everything, then report all failures at once.
      const settled = await Promise.allSettled(wanted.map(ensure));
      const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failures.length > 0) {
        // A failed base fails its children with the same error: report it once.
        const errors = [...new Set(failures.map((f) => f.reason as Error))];
        throw new AggregateError(errors, errors.map((err) => err.message).join('\n\n'));
      }
      return settled.map((s) => (s as PromiseFulfilledResult<BuildReport>).value);
    },
    { onWait: (owner) => log(`waiting for another build (pid ${owner.pid}, since ${owner.since})`) },
  );
}

/** Builds what is missing and returns logical name -> image ref (e.g. `postgres` -> `aisuite-standin/pgvector:pg17`). */
export async function ensureStandInImages(
  names: readonly string[] = STAND_IN_NAMES,
  options: EnsureOptions = {},
): Promise<Record<string, string>> {
  const reports = await buildStandInImages(names, options);
  return Object.fromEntries(reports.map((report) => [report.name, report.ref]));
}

/** The aisuite services the stand-ins replace through `images:` / `--image name=ref` (the Node base goes to `build.nodeImage`). */
export const SERVICE_STAND_INS = [
  'postgres',
  'prometheus',
  'alertmanager',
  'node-exporter',
  'postgres-exporter',
] as const;

/** The `--image name=ref` overrides that point aisuite's services at the stand-ins. */
export function standInImageOverrides(): Record<string, string> {
  return Object.fromEntries(SERVICE_STAND_INS.map((name) => [name, RECIPES[name].ref]));
}
