import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('docs/COMMANDS.md', () => {
  it('matches a fresh `oclif readme` of the built commands (run `npm run docs:commands` to update)', async () => {
    const committed = await fs.readFile(path.join(root, 'docs', 'COMMANDS.md'), 'utf8');
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-commands-'));
    try {
      const copy = path.join(tmp, 'COMMANDS.md');
      // regenerate from an emptied copy so nothing of the committed reference survives by accident
      await fs.writeFile(
        copy,
        committed.replace(
          /<!-- commands -->[\s\S]*<!-- commandsstop -->/,
          '<!-- commands -->\n<!-- commandsstop -->',
        ),
      );
      await execa(
        'npx',
        [
          'oclif',
          'readme',
          '--readme-path',
          copy,
          '--no-aliases',
          '--no-source-links',
          '--plugin-directory',
          root,
        ],
        {
          cwd: root,
          env: { OCLIF_SKIP_UPDATE_CHECK: '1' },
        },
      );
      const fresh = await fs.readFile(copy, 'utf8');
      expect(fresh).toContain('## `aisuite render`');
      expect(committed).toBe(fresh);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
