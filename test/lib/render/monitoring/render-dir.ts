import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRendered } from '../../../../src/lib/render/index.js';
import { renderMonitoring } from '../../../../src/lib/render/monitoring/index.js';
import type { SuiteSpec } from '../../../../src/lib/suite/types.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const UNIT_TESTS_DIR = path.join(ROOT, 'assets/monitoring/tests');

const dirs: string[] = [];

/**
 * Render the monitoring files of `suite` into a fresh temp directory laid out as `aisuite render` writes it,
 * with the promtool unit tests copied to `tests/` (they refer to `../prometheus/rules/*.yml`).
 */
export async function renderToTempDir(suite: SuiteSpec): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-monitoring-'));
  dirs.push(dir);
  await writeRendered(dir, renderMonitoring(suite));
  await fs.cp(UNIT_TESTS_DIR, path.join(dir, 'tests'), { recursive: true });
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
}
