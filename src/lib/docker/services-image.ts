import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compareStrings } from '../compare.js';
import { ExternalError, UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { packageRoot, stateRoot } from '../paths.js';
import { PACKAGE_IMAGE_REPOSITORY } from '../suite/images.js';
import { packageVersion } from '../version.js';
import type { ImageClient } from './images.js';

export const DEFAULT_NODE_IMAGE = 'node:20-bookworm-slim';
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Image label with the full content hash of the build context. */
export const CONTEXT_HASH_LABEL = 'io.aisuite.services-image.hash';

export interface ServicesImageSettings {
  /** Base image of both stages (build.nodeImage). */
  readonly nodeImage?: string;
  /** CA bundle only the dependency stage sees (--build-ca, build.caFile, or the system bundle). */
  readonly caFile?: string;
  /** Install the optional ONNX runtime (GPU profile with the onnx embedding backend). */
  readonly withOnnx?: boolean;
  /** Package root holding package.json, package-lock.json, dist/ and docker/Dockerfile. */
  readonly root?: string;
  /**
   * Where the content hash is remembered by the files' identities (default: `cache/services-image-hash.json`
   * in the state root; `false`: always read every file). Files changed within the last `racyMs`
   * (default 2 s) are never remembered.
   */
  readonly hashCache?: { file: string; racyMs?: number } | false;
  /** Environment for the default hash cache's state root (AISUITE_STATE_DIR). */
  readonly env?: NodeJS.ProcessEnv;
}

/** What the services image is made of, and the tag that content gets. Computing it builds nothing. */
export interface ServicesImagePlan {
  readonly ref: string;
  readonly hash: string;
  readonly nodeImage: string;
  readonly withOnnx: boolean;
  readonly caFile?: string;
  readonly root: string;
  /** Context-relative path -> absolute source path ('' for files written empty). */
  readonly files: ReadonlyMap<string, string>;
}

async function walk(dir: string, rel: string, out: Map<string, string>): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const subdirs: Array<Promise<void>> = [];
  for (const entry of entries) {
    const abs = path.join(dir, entry.name);
    const relPath = `${rel}/${entry.name}`;
    if (entry.isDirectory()) subdirs.push(walk(abs, relPath, out));
    else if (entry.isFile()) out.set(relPath, abs);
  }
  await Promise.all(subdirs);
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Which CA bundle the build uses: the flag, then build.caFile (relative to the config file), then the
 * system bundle when build.useSystemCa is set.
 */
export function chooseBuildCa(
  flag: string | undefined,
  config: { caFile?: string; useSystemCa?: boolean } | undefined,
  configDir: string = process.cwd(),
): string | undefined {
  if (flag) return path.resolve(flag);
  if (config?.caFile) return path.resolve(configDir, config.caFile);
  if (config?.useSystemCa) return SYSTEM_CA_BUNDLE;
  return undefined;
}

/** Hash the build inputs and derive the tag `aisuite/services:<version>-<hash12>`. */
export async function planServicesImage(settings: ServicesImageSettings = {}): Promise<ServicesImagePlan> {
  const root = settings.root ?? packageRoot();
  const nodeImage = settings.nodeImage ?? DEFAULT_NODE_IMAGE;
  const withOnnx = settings.withOnnx ?? false;
  const files = new Map<string, string>();
  files.set('Dockerfile', path.join(root, 'docker', 'Dockerfile'));
  files.set('package.json', path.join(root, 'package.json'));
  files.set('package-lock.json', path.join(root, 'package-lock.json'));
  files.set('.npmrc', (await exists(path.join(root, '.npmrc'))) ? path.join(root, '.npmrc') : '');
  files.set('build-ca.crt', settings.caFile ?? '');
  for (const [rel, abs] of files) {
    if (abs !== '' && !(await exists(abs))) {
      throw new UserError(`cannot build the services image: ${abs} is missing`, {
        hint:
          rel === 'build-ca.crt'
            ? 'Pass an existing CA bundle with --build-ca, or fix build.caFile in aisuite.yaml.'
            : 'Reinstall aisuite, or run `npm run build` in a source checkout.',
        code: 'SERVICES_IMAGE_INPUT_MISSING',
      });
    }
  }
  // Only the services' own build goes in (the build bundles dist/services/main.js with everything
  // it imports, scripts/bundle.mjs): a change to the CLI alone neither rebuilds the image nor
  // recreates the suite's containers.
  const services = path.join(root, 'dist', 'services');
  if (!(await exists(path.join(services, 'main.js')))) {
    throw new UserError(`cannot build the services image: ${path.join(services, 'main.js')} is missing`, {
      hint: 'Run `npm run build` first (in a source checkout).',
      code: 'SERVICES_IMAGE_INPUT_MISSING',
    });
  }
  await walk(services, 'dist/services', files);

  const sorted = [...files].sort(([a], [b]) => compareStrings(a, b));
  const cache = settings.hashCache ?? {
    file: path.join(stateRoot(settings.env), 'cache', 'services-image-hash.json'),
  };
  // the CA is in the context (the dependency stage uses it) but not in the tag: the final image holds no
  // CA, so a build with another bundle, or a later `up` without --build-ca, names the same image
  const hashed = sorted.filter(([rel]) => rel !== 'build-ca.crt');
  const digest = await rememberedHash(JSON.stringify({ nodeImage, withOnnx }), hashed, cache);
  return {
    ref: `${PACKAGE_IMAGE_REPOSITORY}:${packageVersion()}-${digest.slice(0, 12)}`,
    hash: digest,
    nodeImage,
    withOnnx,
    caFile: settings.caFile,
    root,
    files,
  };
}

/** sha256 over `header` and each file's path and content, in the given order. */
async function contentHash(header: string, sorted: ReadonlyArray<[string, string]>): Promise<string> {
  const hash = createHash('sha256');
  hash.update(header);
  // read concurrently (a few MB), hash in a fixed order: one sequential read per file was most of
  // the ~90 ms this took on every `up`
  const contents = await Promise.all(sorted.map(([, abs]) => (abs === '' ? undefined : fs.readFile(abs))));
  sorted.forEach(([rel], i) => {
    hash.update(`\0${rel}\0`);
    const content = contents[i];
    if (content) hash.update(content);
  });
  return hash.digest('hex');
}

/**
 * The content hash, remembered by the identity of every input (path, size, inode, modification and
 * change time), as git's index does: a `stat` of the ~450 files costs ~7 ms where reading and hashing
 * their 3 MB cost 30-70 ms of every `up`. Any write to a file moves its change time, which no tool can
 * set back. A file changed in the last `racyMs` could change again within the clock's resolution
 * unseen, so then nothing is remembered. The cache is an optimisation only: unreadable, stale or
 * unwritable, it is ignored.
 */
async function rememberedHash(
  header: string,
  sorted: ReadonlyArray<[string, string]>,
  cache: { file: string; racyMs?: number } | false,
): Promise<string> {
  if (!cache) return contentHash(header, sorted);
  const stats = await Promise.all(
    sorted.map(([, abs]) => (abs === '' ? undefined : fs.stat(abs, { bigint: true }))),
  );
  const identity = createHash('sha256').update(header);
  sorted.forEach(([rel, abs], i) => {
    const st = stats[i];
    identity.update(`\0${rel}\0${abs}\0${st ? `${st.size}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}` : ''}`);
  });
  const key = identity.digest('hex');
  const saved = await fs
    .readFile(cache.file, 'utf8')
    .then((t) => JSON.parse(t) as { key?: unknown; hash?: unknown })
    .catch(() => undefined);
  if (saved?.key === key && typeof saved.hash === 'string') return saved.hash;
  const hash = await contentHash(header, sorted);
  const newest = Math.max(...stats.map((st) => (st ? Number(st.ctimeNs / 1_000_000n) : 0)));
  if (Date.now() - newest > (cache.racyMs ?? 2000)) {
    await writeFileAtomic(cache.file, JSON.stringify({ key, hash })).catch(() => undefined);
  }
  return hash;
}

/** Copy the context files into a fresh temp dir (the context is never the whole repository). */
async function assembleContext(plan: ServicesImagePlan): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-services-image-'));
  for (const [rel, abs] of plan.files) {
    const target = path.join(dir, ...rel.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    if (abs === '') await fs.writeFile(target, '');
    else await fs.copyFile(abs, target);
  }
  return dir;
}

export interface EnsuredImage {
  readonly ref: string;
  readonly id: string;
  readonly built: boolean;
  readonly seconds: number;
}

/** Build the services image unless an image with its content tag exists (or `force`). */
export async function ensureServicesImage(
  images: ImageClient,
  plan: ServicesImagePlan,
  options: { force?: boolean; onProgress?: (line: string) => void } = {},
): Promise<EnsuredImage> {
  const started = Date.now();
  if (!options.force) {
    const id = await images.idOf(plan.ref);
    if (id) return { ref: plan.ref, id, built: false, seconds: 0 };
  }
  const dir = await assembleContext(plan);
  try {
    await images.build(
      { context: dir, src: [...plan.files.keys()] },
      {
        tag: plan.ref,
        buildargs: { NODE_IMAGE: plan.nodeImage, WITH_ONNX: plan.withOnnx ? '1' : '0' },
        labels: { [CONTEXT_HASH_LABEL]: plan.hash },
      },
      options.onProgress,
    );
  } catch (error) {
    const log = (error as { buildLog?: string[] }).buildLog ?? [];
    throw new ExternalError(`building the services image ${plan.ref} failed: ${(error as Error).message}`, {
      hint:
        `Base image ${plan.nodeImage}` +
        (plan.caFile ? `, CA bundle ${plan.caFile}` : ', no CA bundle') +
        '. Behind a TLS-intercepting proxy pass its CA with --build-ca FILE (or build.useSystemCa: true); ' +
        'without a registry set build.nodeImage in aisuite.yaml to a local Node image.' +
        (log.length > 0 ? `\nLast build output:\n${log.join('\n')}` : ''),
      code: 'SERVICES_IMAGE_BUILD_FAILED',
      cause: error,
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  const id = await images.idOf(plan.ref);
  if (!id) throw new ExternalError(`the engine reports no image ${plan.ref} after building it`);
  return { ref: plan.ref, id, built: true, seconds: (Date.now() - started) / 1000 };
}
