import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every fenced block marked `sh runnable` in the guides is executed, so the guides cannot rot.
const root = path.resolve(import.meta.dirname, '..', '..');
const GUIDES = ['docs/CI_CD_GUIDE.md', 'docs/SERVICE_RELIABILITY.md', 'docs/MONITORING_GUIDE.md'];

async function runnableBlocks(file: string): Promise<{ line: number; code: string }[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(root, file), 'utf8');
  } catch {
    return [];
  }
  const blocks: { line: number; code: string }[] = [];
  const re = /^```sh runnable\n([\s\S]*?)^```/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    blocks.push({ line: text.slice(0, m.index).split('\n').length, code: m[1]! });
  }
  return blocks;
}

const cases = (
  await Promise.all(GUIDES.map(async (g) => (await runnableBlocks(g)).map((b) => ({ guide: g, ...b }))))
).flat();

describe('runnable blocks in the guides', () => {
  let bin: string;
  beforeAll(async () => {
    bin = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-guides-'));
    await fs.symlink(path.join(root, 'bin', 'run.js'), path.join(bin, 'aisuite'));
  });
  afterAll(async () => fs.rm(bin, { recursive: true, force: true }));

  it('there are runnable blocks in the CI/CD and reliability guides', () => {
    expect(cases.filter((c) => c.guide === 'docs/CI_CD_GUIDE.md').length).toBeGreaterThan(0);
    expect(cases.filter((c) => c.guide === 'docs/SERVICE_RELIABILITY.md').length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [`${c.guide}:${c.line}`, c] as const))('%s', async (_name, block) => {
    const run = await execa('bash', ['-euo', 'pipefail', '-c', block.code], {
      cwd: root,
      reject: false,
      timeout: 60_000,
      env: { PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', AISUITE_STATE_DIR: path.join(bin, 'state') },
    });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
  });
});
