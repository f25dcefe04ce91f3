import { execa, type ResultPromise } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AisuiteError } from '../../../src/lib/errors.js';
import { acquireLock, lockFile, lockHolder, withLock } from '../../../src/lib/lock/lock.js';

const FIXTURE = fileURLToPath(new URL('./hold-lock.fixture.ts', import.meta.url));

describe('project lock (real processes)', () => {
  let state: string;
  const env = () => ({ AISUITE_STATE_DIR: state });
  const children: ResultPromise[] = [];

  const spawnHolder = (vars: Record<string, string>) => {
    const child = execa(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: { ...process.env, AISUITE_STATE_DIR: state, ...vars },
      reject: false,
      stdin: 'pipe',
    });
    children.push(child);
    return child;
  };
  const firstLine = (child: ResultPromise) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const nl = buffer.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      });
      child.once('exit', () => reject(new Error(`child exited before a line: ${buffer}`)));
    });

  beforeAll(async () => {
    state = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-lock-'));
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    await fs.rm(state, { recursive: true, force: true });
  });

  it('a second process fails at once with exit 5 naming the holder, and a waiting one gets the lock when it is released', async () => {
    // Given a process holding the lock of project p1
    const holder = spawnHolder({ LOCK_PROJECT: 'p1', HOLD_MS: 'stdin', LOCK_COMMAND: 'up' });
    const acquired = await firstLine(holder);
    expect(acquired.event).toBe('acquired');

    // When a second run starts without waiting
    const second = await spawnHolder({ LOCK_PROJECT: 'p1', LOCK_WAIT: '0' });
    // Then it exits with LOCKED (5) and names the holder
    expect(second.exitCode).toBe(5);
    const err = JSON.parse(String(second.stdout)) as {
      message: string;
      details: { holder: { pid: number } };
    };
    expect(err.message).toContain(`pid ${acquired.pid as number}`);
    expect(err.message).toContain('`aisuite up`');
    expect(err.message).toContain(os.hostname());
    expect(err.details.holder.pid).toBe(acquired.pid);

    // When a third run waits, and the holder finishes meanwhile
    const third = spawnHolder({ LOCK_PROJECT: 'p1', LOCK_WAIT: '20' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await lockHolder('p1', env())).holder?.pid).toBe(acquired.pid);
    holder.stdin!.end();
    // Then it gets the lock and releases it
    const done = await third;
    expect(done.exitCode).toBe(0);
    expect(String(done.stdout)).toContain('"released"');
    expect((await lockHolder('p1', env())).held).toBe(false);
  });

  it('eight processes racing for the lock never overlap (mutual exclusion)', async () => {
    const journal = path.join(state, 'journal');
    const runs = Array.from({ length: 8 }, () =>
      spawnHolder({ LOCK_PROJECT: 'race', LOCK_WAIT: '60', HOLD_MS: '30', JOURNAL: journal }),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => r.exitCode)).toEqual(Array(8).fill(0));
    const lines = (await fs.readFile(journal, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(16);
    for (let i = 0; i < lines.length; i += 2) {
      const [enter, pid] = lines[i]!.split(' ');
      expect(enter).toBe('enter');
      expect(lines[i + 1]).toBe(`exit ${pid}`);
    }
  });

  it('a lock left by a dead process is reported as stale and broken only with --force-unlock', async () => {
    // Given a lock file whose pid no longer runs on this host
    const dead = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout);
    const file = lockFile('p2', env());
    await fs.mkdir(path.dirname(file), { recursive: true });
    const stale = {
      owner: 'ops',
      host: os.hostname(),
      pid: deadPid,
      command: 'rollback',
      startedAt: '2026-01-01T00:00:00.000Z',
      token: 'x',
    };
    await fs.writeFile(file, JSON.stringify(stale));

    // When a run starts without --force-unlock, Then it is LOCKED with a hint to break the stale lock
    const blocked = await acquireLock('p2', 'up', { env: env() }).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(AisuiteError);
    expect((blocked as AisuiteError).exitCode).toBe(5);
    expect((blocked as AisuiteError).message).toContain(`pid ${deadPid}`);
    expect((blocked as AisuiteError).hint).toMatch(/stale.*no longer running.*--force-unlock/);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(stale); // untouched

    // When it runs with --force-unlock, Then the stale lock is broken (and reported) and the run gets the lock
    const broken: string[] = [];
    const value = await withLock(
      'p2',
      'up',
      { env: env(), forceUnlock: true, onBroken: (_h, why) => void broken.push(why) },
      async (h) => {
        expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({
          pid: process.pid,
          command: 'up',
          token: h.holder.token,
        });
        return 42;
      },
    );
    expect(value).toBe(42);
    expect(broken[0]).toContain(`process ${deadPid} is no longer running`);
    await expect(fs.access(file)).rejects.toThrow(); // released
  });

  it('--force-unlock refuses to break the lock of a live process', async () => {
    const holder = spawnHolder({ LOCK_PROJECT: 'p3', HOLD_MS: 'stdin' });
    await firstLine(holder);
    const error = await acquireLock('p3', 'up', { env: env(), forceUnlock: true }).catch((e: unknown) => e);
    expect((error as AisuiteError).exitCode).toBe(2);
    expect((error as AisuiteError).message).toMatch(/refusing to break the lock.*alive/);
    holder.stdin!.end();
    expect((await holder).exitCode).toBe(0);
  });

  it('an unreadable lock file is reported as held by an unknown holder; --force-unlock breaks it', async () => {
    const file = lockFile('p4', env());
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"owner":"op');
    const error = await acquireLock('p4', 'down', { env: env() }).catch((e: unknown) => e);
    expect((error as AisuiteError).message).toContain('unknown holder');
    const handle = await acquireLock('p4', 'down', { env: env(), forceUnlock: true });
    await handle.release();
    expect((await lockHolder('p4', env())).held).toBe(false);
  });

  it('the lock is released when the guarded work throws', async () => {
    await expect(
      withLock('p5', 'up', { env: env() }, async () => {
        throw new Error('apply failed');
      }),
    ).rejects.toThrow('apply failed');
    expect((await lockHolder('p5', env())).held).toBe(false);
  });
});
