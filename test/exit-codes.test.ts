import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/base-command.js';
import { ExitCode, exitCodeDescriptions } from '../src/lib/exit-codes.js';

describe('exit codes', () => {
  const doc = readFileSync(new URL('../docs/EXIT_CODES.md', import.meta.url), 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\|\s*(\d+)\s*\|\s*(\w+)\s*\|\s*(.+?)\s*\|$/gm)].map((m) => [
      m[2]!,
      { code: Number(m[1]), text: m[3]! },
    ]),
  );

  it('every code is documented with its number and description, and nothing else is', () => {
    for (const [name, code] of Object.entries(ExitCode)) {
      expect(rows.get(name), name).toEqual({
        code,
        text: exitCodeDescriptions[name as keyof typeof ExitCode],
      });
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(ExitCode).sort());
  });

  it('codes are unique', () => {
    const values = Object.values(ExitCode);
    expect(new Set(values).size).toBe(values.length);
  });

  it("a file system refusal with a path is the user's to fix (exit 2, naming the path); other errors are bugs", () => {
    const refused = Object.assign(new Error("ENOTDIR: not a directory, open '/srv/x/state.json'"), {
      code: 'ENOTDIR',
      syscall: 'open',
      path: '/srv/x/state.json',
    });
    expect(describeError(refused)).toMatchObject({
      code: 'FS_REFUSED',
      message: 'cannot open /srv/x/state.json (a file is in the way)',
      exitCode: ExitCode.USER_ERROR,
      bug: false,
    });
    const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: '/x' });
    expect(describeError(missing)).toMatchObject({ exitCode: ExitCode.BUG, bug: true });
    expect(describeError(new TypeError('x is undefined'))).toMatchObject({ exitCode: ExitCode.BUG });
  });
});
