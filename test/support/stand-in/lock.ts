import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

type Owner = { pid: number; token: string; since: string };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` while holding an exclusive lock file (O_EXCL) in the temp dir, so two test files (or a
 * test and `npm run stand-in-images`) never build the same images at once. A lock whose owner
 * process is gone is taken over.
 */
export async function withLock<T>(
  name: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; onWait?: (owner: Owner) => void } = {},
): Promise<T> {
  const file = path.join(os.tmpdir(), `${name}.lock`);
  const me: Owner = { pid: process.pid, token: randomUUID(), since: new Date().toISOString() };
  const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(file);
    // An unreadable file older than a few seconds is a crash between create and write.
    const orphan =
      !owner &&
      (await stat(file).then(
        (s) => Date.now() - s.mtimeMs > 10_000,
        () => false,
      ));
    if (orphan) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (owner && !alive(owner.pid)) {
      // Stale: only remove it if it is still the same stale owner's file.
      const again = await readOwner(file);
      if (again?.token === owner.token) await unlink(file).catch(() => undefined);
      continue;
    }
    if (owner && !told) {
      opts.onWait?.(owner);
      told = true;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for lock ${file} held by ${JSON.stringify(owner)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  try {
    return await fn();
  } finally {
    const owner = await readOwner(file);
    if (owner?.token === me.token) await unlink(file).catch(() => undefined);
  }
}
