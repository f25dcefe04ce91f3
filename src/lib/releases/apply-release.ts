import type Docker from 'dockerode';
import type { ApplyResult } from '../docker/apply.js';
import { UserError } from '../errors.js';
import type { RendererName } from '../output.js';
import type { ResolvedSuite } from '../suite/resolve.js';
import type { ReleaseImage, ReleaseRecord } from './types.js';

export interface ImageCheck {
  readonly image: ReleaseImage;
  readonly state: 'present' | 'retag' | 'missing';
  /** For `retag`: the image the ref points to now. */
  readonly refNow?: string;
}

/**
 * Before touching anything: is every image of the release still on the engine (by id)? A ref that now
 * points elsewhere (e.g. a rebuilt tag) is re-pointed to the recorded id at apply time.
 */
export async function checkReleaseImages(docker: Docker, record: ReleaseRecord): Promise<ImageCheck[]> {
  const status = (e: unknown) => (e as { statusCode?: number }).statusCode;
  const idOf = async (ref: string) => {
    try {
      return (await docker.getImage(ref).inspect()).Id;
    } catch (error) {
      if (status(error) === 404) return undefined;
      throw error;
    }
  };
  const checks: ImageCheck[] = [];
  for (const image of record.images) {
    const byId = await idOf(image.id);
    if (!byId) {
      checks.push({ image, state: 'missing' });
      continue;
    }
    const refNow = await idOf(image.ref);
    checks.push(refNow === image.id ? { image, state: 'present' } : { image, state: 'retag', refNow });
  }
  return checks;
}

export function missingImagesError(record: ReleaseRecord, missing: readonly ImageCheck[]): UserError {
  return new UserError(
    `release ${record.tag} cannot be applied: ${missing.length} image(s) it needs are gone from the engine:\n` +
      missing.map((m) => `  ${m.image.ref} (${m.image.id}) for ${m.image.services.join(', ')}`).join('\n'),
    {
      code: 'RELEASE_IMAGE_MISSING',
      hint:
        'Nothing was changed. Load the image(s) again (`docker load`, or rebuild the same version), ' +
        'or roll back to another release (`aisuite releases` lists them).',
      details: { missing: missing.map((m) => m.image) },
    },
  );
}

function splitRef(ref: string): { repo: string; tag: string } {
  const at = ref.lastIndexOf(':');
  const slash = ref.lastIndexOf('/');
  return at > slash ? { repo: ref.slice(0, at), tag: ref.slice(at + 1) } : { repo: ref, tag: 'latest' };
}

export interface ApplyReleaseOptions {
  readonly docker?: Docker;
  readonly signal?: AbortSignal;
  readonly renderer?: RendererName;
  readonly waitTimeoutSeconds?: number;
  /** Run the engine's pre-flight checks (default true; an auto-revert skips them, see `revert`). */
  readonly preflight?: boolean;
}

/**
 * Re-apply a recorded release through the normal plan/apply: its suite model, its rendered files, its
 * images (refs re-pointed to the recorded ids), never pulling. Only what differs is recreated; services
 * the release does not have are removed, their volumes kept.
 */
export async function applyRelease(
  record: ReleaseRecord,
  options: ApplyReleaseOptions = {},
): Promise<ApplyResult> {
  const [{ applySuite }, { createDocker }] = await Promise.all([
    import('../docker/apply.js'),
    import('../docker/engine.js'),
  ]);
  const docker = options.docker ?? createDocker();
  const checks = await checkReleaseImages(docker, record);
  const missing = checks.filter((c) => c.state === 'missing');
  if (missing.length > 0) throw missingImagesError(record, missing);
  for (const c of checks.filter((x) => x.state === 'retag')) {
    await docker.getImage(c.image.id).tag(splitRef(c.image.ref));
  }
  const resolved: ResolvedSuite = {
    suite: record.suite,
    options: record.options,
    config: {},
    secretsFile: record.secretsFile,
    warnings: [],
  };
  return applySuite(resolved, record.files, {
    docker,
    pull: 'never',
    release: record.tag,
    signal: options.signal,
    renderer: options.renderer,
    waitTimeoutSeconds: options.waitTimeoutSeconds,
    preflight: options.preflight,
  });
}
