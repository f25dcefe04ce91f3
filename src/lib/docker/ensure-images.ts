import { ExternalError, UserError } from '../errors.js';
import type { SuiteSpec } from '../suite/types.js';
import type { ImageClient } from './images.js';
import { ensureServicesImage, type ServicesImagePlan } from './services-image.js';

export type PullPolicy = 'missing' | 'always' | 'never';
export const PULL_POLICIES: readonly PullPolicy[] = ['missing', 'always', 'never'];

export interface ImageOutcome {
  readonly ref: string;
  readonly id: string;
  readonly services: readonly string[];
  readonly action: 'present' | 'pulled' | 'built' | 'missing';
  readonly seconds: number;
}

export interface ImageJob {
  readonly ref: string;
  readonly kind: 'registry' | 'package';
  readonly services: readonly string[];
}

/** The distinct images the suite needs, with the services that use each. */
export function imageJobs(suite: SuiteSpec): ImageJob[] {
  const jobs = new Map<string, { kind: 'registry' | 'package'; services: string[] }>();
  for (const svc of suite.services) {
    const job = jobs.get(svc.image.ref) ?? { kind: svc.image.kind, services: [] };
    job.services.push(svc.name);
    jobs.set(svc.image.ref, job);
  }
  return [...jobs].map(([ref, job]) => ({ ref, ...job }));
}

/** Get one image per the pull policy (the services image is built, never pulled). */
export async function ensureImage(
  images: ImageClient,
  job: ImageJob,
  options: {
    pull: PullPolicy;
    build: boolean;
    servicesImage?: ServicesImagePlan;
    onProgress?: (line: string) => void;
  },
): Promise<ImageOutcome> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const who = job.services.join(', ');
  if (job.kind === 'package') {
    if (options.servicesImage && options.servicesImage.ref === job.ref) {
      const result = await ensureServicesImage(images, options.servicesImage, {
        force: options.build,
        onProgress: options.onProgress,
      });
      return { ...job, id: result.id, action: result.built ? 'built' : 'present', seconds: seconds() };
    }
    const id = await images.idOf(job.ref);
    if (!id) {
      throw new UserError(`the services image ${job.ref} (used by ${who}) is not on the engine`, {
        hint: 'Run `aisuite up` without an image override for the services image so it is built.',
        code: 'IMAGE_MISSING',
      });
    }
    return { ...job, id, action: 'present', seconds: 0 };
  }
  if (options.pull !== 'always') {
    const id = await images.idOf(job.ref);
    if (id) return { ...job, id, action: 'present', seconds: 0 };
    if (options.pull === 'never') {
      throw new UserError(
        `image ${job.ref} (used by ${who}) is not on the engine, and --pull never forbids pulling it`,
        {
          hint: `Load it (\`docker load\`), allow pulling with --pull missing, or point the service at a local image with --image ${job.services[0]}=REF.`,
          code: 'IMAGE_MISSING',
          details: { image: job.ref, services: job.services },
        },
      );
    }
  }
  try {
    await images.pull(job.ref, options.onProgress);
  } catch (error) {
    throw new ExternalError(`pulling ${job.ref} (used by ${who}) failed: ${(error as Error).message}`, {
      hint: `Check the registry is reachable, or use a mirror or local image: --image ${job.services[0]}=REF (or images: in aisuite.yaml).`,
      code: 'IMAGE_PULL_FAILED',
      cause: error,
      details: { image: job.ref, services: job.services },
    });
  }
  const id = await images.idOf(job.ref);
  if (!id) throw new ExternalError(`the engine reports no image ${job.ref} after pulling it`);
  return { ...job, id, action: 'pulled', seconds: seconds() };
}
