import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withLock } from '../support/stand-in/lock.js';

const name = `aisuite-test-lock-${randomUUID()}`;
const lockFile = path.join(os.tmpdir(), `${name}.lock`);
const journal = path.join(os.tmpdir(), `${name}.journal`);
const lockModule = path.resolve('test/support/stand-in/lock.ts');

afterEach(async () => {
  await rm(lockFile, { force: true });
  await rm(journal, { force: true });
});

// A separate Node process that holds the lock for 300 ms and writes start/end marks.
function holder(id: string): Promise<number | null> {
  const code = `
    import { appendFile } from 'node:fs/promises';
    const { withLock } = await import(${JSON.stringify(lockModule)});
    await withLock(${JSON.stringify(name)}, async () => {
      await appendFile(${JSON.stringify(journal)}, 'start ${id}\\n');
      await new Promise((r) => setTimeout(r, 300));
      await appendFile(${JSON.stringify(journal)}, 'end ${id}\\n');
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('close', resolve));
}

describe('stand-in build lock', () => {
  it('serialises two processes: one holds it, the other waits', async () => {
    const codes = await Promise.all([holder('a'), holder('b')]);
    expect(codes).toEqual([0, 0]);
    const marks = (await readFile(journal, 'utf8')).trim().split('\n');
    // Never "start a, start b": each start is followed by its own end.
    expect(marks).toHaveLength(4);
    expect(marks[1]).toBe(marks[0]!.replace('start', 'end'));
    expect(marks[3]).toBe(marks[2]!.replace('start', 'end'));
  });

  it('takes over a lock whose owner process is gone, and removes it afterwards', async () => {
    // Given a lock file left by a process that no longer exists
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('close', resolve));
    await writeFile(
      lockFile,
      JSON.stringify({ pid: dead.pid, token: 'stale', since: new Date().toISOString() }),
    );
    // When another caller asks for it
    const result = await withLock(name, async () => 'ran', { timeoutMs: 5000 });
    // Then it runs, and leaves no lock behind
    expect(result).toBe('ran');
    await expect(readFile(lockFile)).rejects.toThrow(/ENOENT/);
  });

  it('times out with the owner named while a live process holds it', async () => {
    await writeFile(lockFile, JSON.stringify({ pid: process.pid, token: 'other', since: 'now' }));
    await expect(withLock(name, async () => 'ran', { timeoutMs: 700 })).rejects.toThrow(
      /timed out.*"token":"other"/,
    );
    // The holder's lock is not removed by the waiter.
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ token: 'other' });
  });
});
