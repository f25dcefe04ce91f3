import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';
import { listFiles } from '../list-files.js';
import { projectStateDir } from '../paths.js';
import type { RenderedFile } from '../render/types.js';

/** Where `up` keeps the rendered files its containers bind: `<state dir>/<project>/rendered`. */
export function renderedDirOf(project: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(projectStateDir(project, env), 'rendered');
}

/**
 * Bring the rendered directory to exactly `files`. Each changed file is replaced atomically and stale
 * files are removed; the directory itself stays in place, because running containers bind its
 * subdirectories and a directory swapped by rename would leave them looking at the old (deleted) one.
 * Unchanged files are not touched, so a kept container sees no change at all.
 */
export async function syncRenderedDir(
  dir: string,
  files: readonly RenderedFile[],
): Promise<{ written: string[]; removed: string[] }> {
  await fs.mkdir(dir, { recursive: true });
  const wanted = new Map(files.map((f) => [f.path, f.content]));
  // files are independent: read and replace them concurrently (a phase-3 suite has ~24)
  const changed = await Promise.all(
    [...wanted].map(async ([rel, content]) => {
      const target = path.join(dir, ...rel.split('/'));
      const current = await fs.readFile(target, 'utf8').catch(() => undefined);
      if (current === content) return undefined;
      await writeFileAtomic(target, content, 0o644);
      return rel;
    }),
  );
  const written = changed.filter((rel): rel is string => rel !== undefined);
  const removed: string[] = [];
  for (const rel of await listFiles(dir)) {
    if (wanted.has(rel)) continue;
    await fs.rm(path.join(dir, ...rel.split('/')), { force: true });
    removed.push(rel);
  }
  return { written, removed };
}
