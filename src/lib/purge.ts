import fs from 'node:fs/promises';
import path from 'node:path';
import { lockFile } from './lock/lock.js';
import { projectStateDir } from './paths.js';

/**
 * Delete a project's state directory (secrets, release records, audit log, rendered files) except its
 * lock file, which the caller holds; `finishPurge` removes the rest once the lock is released. Returns
 * the directory, or undefined when there was none.
 */
export async function purgeProjectState(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const dir = projectStateDir(project, env);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const lock = path.basename(lockFile(project, env));
  await Promise.all(
    names.filter((n) => n !== lock).map((n) => fs.rm(path.join(dir, n), { recursive: true, force: true })),
  );
  return dir;
}

/**
 * After the lock is released: remove the emptied state directory. A lock another run took in the
 * meantime stays (the directory is then not empty, and is left).
 */
export async function finishPurge(dir: string): Promise<void> {
  await fs.rmdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT' && error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
}
