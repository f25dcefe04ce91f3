import { randomBytes } from 'node:crypto';
import { unlinkSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AisuiteError, UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { projectStateDir } from '../paths.js';

/** Who holds the lock: written once, atomically, when the lock is taken. */
export interface LockHolder {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly command: string;
  /** ISO time the lock was taken. */
  readonly startedAt: string;
  /** Random token so a run only ever removes its own lock. */
  readonly token: string;
}

export interface LockOptions {
  /** Seconds to wait for a held lock before giving up (default 0: fail at once). */
  readonly waitSeconds?: number;
  /** Break a lock whose holder is provably gone (dead pid on this host), or unreadable, or from another host. */
  readonly forceUnlock?: boolean;
  readonly signal?: AbortSignal;
  /** Called once when the lock is held by someone else and we start waiting. */
  readonly onWait?: (holder: LockHolder | undefined) => void;
  /** Called when --force-unlock broke a lock (for the audit log). */
  readonly onBroken?: (holder: LockHolder | undefined, reason: string) => void | Promise<void>;
  readonly env?: NodeJS.ProcessEnv;
  /** Poll interval while waiting (default 200 ms). */
  readonly pollMs?: number;
}

export interface LockHandle {
  readonly file: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
}

export function lockFile(project: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(projectStateDir(project, env), 'lock');
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? String(process.getuid?.() ?? 'unknown');
  }
}

/** True when a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'an unknown holder (the lock file is unreadable)';
  return `${holder.owner}@${holder.host} pid ${holder.pid} running \`aisuite ${holder.command}\` since ${holder.startedAt}`;
}

type ReadResult =
  { state: 'absent' } | { state: 'held'; holder: LockHolder } | { state: 'corrupt'; raw: string };

async function readLock(file: string): Promise<ReadResult> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw error;
  }
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return { state: 'held', holder: value as LockHolder };
    }
  } catch {
    // fall through: reported as corrupt
  }
  return { state: 'corrupt', raw };
}

/** Why a held lock may be broken, or undefined when its holder may still be running. */
function staleReason(read: ReadResult): string | undefined {
  if (read.state === 'corrupt') return 'the lock file is unreadable';
  if (read.state !== 'held') return undefined;
  if (read.holder.host !== os.hostname()) return `it was taken on another host (${read.holder.host})`;
  if (!pidAlive(read.holder.pid)) return `process ${read.holder.pid} is no longer running`;
  return undefined;
}

/**
 * Take the project's lock: the holder's identity is written to a temp file and hard-linked to `lock`,
 * so the lock appears atomically with its full content, or not at all (link fails with EEXIST).
 */
async function tryCreate(file: string, holder: LockHolder): Promise<boolean> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(holder)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function lockedError(
  project: string,
  holder: LockHolder | undefined,
  stale: string | undefined,
  waited: number,
) {
  return new AisuiteError(
    `project ${project} is locked by ${describeHolder(holder)}` + (waited > 0 ? ` (waited ${waited}s)` : ''),
    {
      exitCode: ExitCode.LOCKED,
      code: 'LOCKED',
      hint: stale
        ? `The lock looks stale: ${stale}. Break it with --force-unlock.`
        : 'Wait for that run to finish, or retry with --lock-wait SECONDS.',
      details: { holder: holder ?? null, stale: stale ?? null },
    },
  );
}

/** Acquire the project's lock, waiting up to `waitSeconds`; throws LOCKED (exit 5) naming the holder. */
export async function acquireLock(
  project: string,
  command: string,
  options: LockOptions = {},
): Promise<LockHandle> {
  const file = lockFile(project, options.env);
  const holder: LockHolder = {
    owner: currentUser(),
    host: os.hostname(),
    pid: process.pid,
    command,
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const waitSeconds = options.waitSeconds ?? 0;
  const deadline = Date.now() + waitSeconds * 1000;
  let announced = false;
  for (;;) {
    if (await tryCreate(file, holder)) break;
    const read = await readLock(file);
    if (read.state === 'absent') continue; // released between our link and our read
    const current = read.state === 'held' ? read.holder : undefined;
    const stale = staleReason(read);
    if (options.forceUnlock && stale) {
      await fs.rm(file, { force: true });
      await options.onBroken?.(current, stale);
      continue;
    }
    if (options.forceUnlock && !stale) {
      throw new UserError(`refusing to break the lock of ${describeHolder(current)}: that process is alive`, {
        code: 'LOCK_HELD_BY_LIVE_PROCESS',
        hint: '--force-unlock only breaks a stale lock. Wait for that run, or stop it first.',
      });
    }
    if (Date.now() >= deadline) throw lockedError(project, current, stale, waitSeconds);
    if (!announced) {
      announced = true;
      options.onWait?.(current);
    }
    await sleep(Math.min(options.pollMs ?? 200, Math.max(1, deadline - Date.now())), options.signal);
  }

  // a second Ctrl-C exits the process at once: remove the lock synchronously on the way out
  const onExit = () => {
    try {
      if (readFileSync(file, 'utf8').includes(holder.token)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  let released = false;
  return {
    file,
    holder,
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const read = await readLock(file);
      if (read.state === 'held' && read.holder.token === holder.token) await fs.rm(file, { force: true });
    },
  };
}

/** Run `fn` while holding the project's lock; the lock is released however `fn` ends. */
export async function withLock<T>(
  project: string,
  command: string,
  options: LockOptions,
  fn: (handle: LockHandle) => Promise<T>,
): Promise<T> {
  const handle = await acquireLock(project, command, options);
  try {
    return await fn(handle);
  } finally {
    await handle.release();
  }
}

/** The current holder, if any (for status output). */
export async function lockHolder(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ held: boolean; holder?: LockHolder; stale?: string }> {
  const read = await readLock(lockFile(project, env));
  if (read.state === 'absent') return { held: false };
  return { held: true, holder: read.state === 'held' ? read.holder : undefined, stale: staleReason(read) };
}
