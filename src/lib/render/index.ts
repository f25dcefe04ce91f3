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
}

/**
 * Write rendered files under `outDir` (each atomically, concurrently: one file's fsyncs need not wait
 * for another's; 24 files took ~38 ms one after the other) and return their digests in input order.
 */
export async function writeRendered(outDir: string, files: readonly RenderedFile[]): Promise<WrittenFile[]> {
  await fs.mkdir(outDir, { recursive: true });
  return Promise.all(
    files.map(async (file) => {
      await writeFileAtomic(path.join(outDir, ...file.path.split('/')), file.content, 0o644);
      return { path: file.path, sha256: sha256(file.content), bytes: Buffer.byteLength(file.content) };
    }),
  );
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
