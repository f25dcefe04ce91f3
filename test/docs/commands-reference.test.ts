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

describe('command help text', () => {
  it('no description keeps the source wrapping (oclif would re-wrap it into ragged lines)', async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(root, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { description?: string }>;
    };
    const ids = Object.keys(manifest.commands);
    expect(ids).toContain('up');
    const wrapped = ids.filter((id) => /[^\n]\n[^\n]/.test(manifest.commands[id]?.description ?? ''));
    expect(wrapped).toEqual([]);
  });

  it('`up --help` on an 80-column terminal fills its description lines', async () => {
    const { stdout } = await execa(path.join(root, 'bin', 'aisuite'), ['up', '--help'], {
      env: { COLUMNS: '80' },
    });
    const description = stdout.split('DESCRIPTION\n')[1]?.split('\nEXAMPLES')[0] ?? '';
    const paragraphs = description
      .split(/\n\s*\n/)
      .map((p) => p.trimEnd())
      .filter((p) => p.trim());
    expect(paragraphs.length).toBeGreaterThanOrEqual(2);
    for (const paragraph of paragraphs) {
      const lines = paragraph.split('\n');
      // every line but a paragraph's last runs close to the width (a ragged one is ~30 columns)
      for (const line of lines.slice(0, -1)) expect(line.length, line).toBeGreaterThan(60);
    }
  });
});
