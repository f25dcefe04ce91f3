import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  CONTEXTS_DIR,
  RECIPE_VERSION,
  RECIPES,
  debianMirror,
  type Recipe,
  type StandInName,
} from './recipes.js';
import { DEBIAN_ROOTFS_TWEAKS } from './debian-rootfs.js';

export type HostNode = {
  binary: string;
  npmDir: string;
  /** `<prefix>/include/node` when it holds the headers of this very Node version (node-gyp needs them). */
  includeDir?: string;
  nodeVersion: string;
  npmVersion: string;
  size: number;
};

async function headersFor(includeDir: string, version: string): Promise<string | undefined> {
  const header = await readFile(path.join(includeDir, 'node_version.h'), 'utf8').catch(() => '');
  const part = (name: string) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(header)?.[1];
  return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === version ? includeDir : undefined;
}

/** The node binary running this process and the npm that sits next to it (/usr/bin/node -> /usr/lib/node_modules/npm). */
export async function findHostNode(): Promise<HostNode> {
  const binary = await realpath(process.execPath);
  const npmDir =
    process.env.AISUITE_STANDIN_NPM_DIR ??
    path.join(path.dirname(binary), '..', 'lib', 'node_modules', 'npm');
  const npmPkg = JSON.parse(await readFile(path.join(npmDir, 'package.json'), 'utf8')) as { version: string };
  const { size } = await stat(binary);
  const nodeVersion = process.versions.node;
  const includeDir = await headersFor(path.join(path.dirname(binary), '..', 'include', 'node'), nodeVersion);
  return { binary, npmDir, includeDir, nodeVersion, npmVersion: npmPkg.version, size };
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** Path, mode and content of every file in a build context, in a stable order. */
async function contextDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const rel of await listFiles(dir)) {
    const full = path.join(dir, rel);
    const { mode } = await stat(full);
    hash.update(`${rel}\0${mode & 0o777}\0`);
    hash.update(await readFile(full));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The content hash of each stand-in's recipe: its build context, build inputs and its base's hash, so a
 * changed Debian base rebuilds everything built on it. Debootstrap output is not hashed (it is what the
 * mirror serves at build time); the recipe that produces it is.
 */
export async function recipeHashes(
  hostNode?: HostNode,
  names: readonly StandInName[] = Object.keys(RECIPES) as StandInName[],
): Promise<Partial<Record<StandInName, string>>> {
  // Only the asked-for images and their bases: asking for postgres must not depend on finding npm.
  const hashes: Partial<Record<StandInName, string>> = {};
  const hashOf = async (recipe: Recipe): Promise<string> => {
    const known = hashes[recipe.name];
    if (known) return known;
    let value: string;
    if (recipe.kind === 'debootstrap') {
      value = sha256({
        v: RECIPE_VERSION,
        kind: recipe.kind,
        suite: recipe.suite,
        mirror: debianMirror(),
        tweaks: DEBIAN_ROOTFS_TWEAKS,
      });
    } else {
      const node = recipe.hostNode ? (hostNode ?? (await findHostNode())) : undefined;
      value = sha256({
        v: RECIPE_VERSION,
        kind: recipe.kind,
        base: await hashOf(RECIPES[recipe.base]),
        context: await contextDigest(path.join(CONTEXTS_DIR, recipe.context)),
        node: node && {
          version: node.nodeVersion,
          npm: node.npmVersion,
          size: node.size,
          headers: !!node.includeDir,
        },
      });
    }
    hashes[recipe.name] = value;
    return value;
  };
  for (const name of names) await hashOf(RECIPES[name]);
  return hashes;
}
