import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';
import { listFiles } from '../list-files.js';
import { sha256 } from '../suite/hash.js';
import type { SuiteSpec } from '../suite/types.js';
import { renderCompose } from './compose.js';
import type { RenderedFile } from './types.js';

export type { RenderedFile } from './types.js';

/**
 * Every file of the suite, in a stable order: the compose file, then the monitoring configs. The
 * monitoring renderer (dashboards, rules, runbooks: ~35 ms to load) is loaded only for a suite with
 * monitoring.
 */
export async function renderSuite(suite: SuiteSpec): Promise<RenderedFile[]> {
  const monitoring = suite.monitoring ? (await import('./monitoring/index.js')).renderMonitoring(suite) : [];
  const files = [renderCompose(suite), ...monitoring];
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new Error(`two rendered files share the path ${file.path}`);
    seen.add(file.path);
  }
  return files;
}

export interface WrittenFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  /** False when the file already had this content and mode, and was left as it was. */
  readonly changed: boolean;
}

const MODE = 0o644;

/**
 * Write rendered files under `outDir` (each atomically, concurrently: one file's fsyncs need not wait
 * for another's; 24 files took ~38 ms one after the other) and return their digests in input order. A
 * file that already holds the same content with the same mode is left alone, as \`up\` does with its
 * rendered directory: a render into a directory under git, or watched by a config reloader, changes
 * only what changed (and skips the temp file, fsyncs and rename of the rest).
 */
export async function writeRendered(outDir: string, files: readonly RenderedFile[]): Promise<WrittenFile[]> {
  await fs.mkdir(outDir, { recursive: true });
  return Promise.all(
    files.map(async (file) => {
      const target = path.join(outDir, ...file.path.split('/'));
      const changed = !(await holds(target, file.content));
      if (changed) await writeFileAtomic(target, file.content, MODE);
      return {
        path: file.path,
        sha256: sha256(file.content),
        bytes: Buffer.byteLength(file.content),
        changed,
      };
    }),
  );
}

/** Whether `file` is a regular file with exactly `content` and mode 0644 (a missing one is not). */
async function holds(file: string, content: string): Promise<boolean> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || (stat.mode & 0o777) !== MODE || stat.size !== Buffer.byteLength(content))
        return false;
      return (await handle.readFile('utf8')) === content;
    } finally {
      await handle.close();
    }
  } catch {
    return false; // missing or unreadable: written (and a real problem surfaces there)
  }
}

/** The directories a render writes into besides compose.yaml (one per monitoring component). */
export const RENDERED_DIRS = ['prometheus', 'alertmanager', 'grafana', 'loki', 'alloy'] as const;

/**
 * Files in `outDir`'s rendered directories that this render did not write: left by an earlier render of
 * another selection (phase 3, then phase 2 without monitoring). Listed, never removed: the directory is
 * the user's.
 */
export async function staleRendered(outDir: string, files: readonly RenderedFile[]): Promise<string[]> {
  const written = new Set(files.map((f) => f.path));
  const found = await Promise.all(
    RENDERED_DIRS.map(async (dir) => (await listFiles(outDir, dir)).filter((rel) => !written.has(rel))),
  );
  return found.flat();
}
