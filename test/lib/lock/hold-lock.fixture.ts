// Child process for the lock tests: take the lock, note entry and exit in a shared file, hold it for
// HOLD_MS (or until stdin closes when HOLD_MS=stdin), release it. Exit code 5 with the error as JSON when locked.
import fs from 'node:fs/promises';
import { acquireLock } from '../../../src/lib/lock/lock.js';
import { AisuiteError } from '../../../src/lib/errors.js';

const project = process.env.LOCK_PROJECT ?? 'locktest';
const hold = process.env.HOLD_MS ?? '0';
const journal = process.env.JOURNAL;

try {
  const handle = await acquireLock(project, process.env.LOCK_COMMAND ?? 'up', {
    waitSeconds: Number(process.env.LOCK_WAIT ?? '0'),
    forceUnlock: process.env.FORCE_UNLOCK === '1',
    pollMs: 20,
  });
  if (journal) await fs.appendFile(journal, `enter ${process.pid}\n`);
  process.stdout.write(`${JSON.stringify({ event: 'acquired', pid: process.pid })}\n`);
  if (hold === 'stdin') {
    await new Promise<void>((resolve) => {
      process.stdin.on('data', () => undefined);
      process.stdin.on('end', resolve);
      process.stdin.on('close', resolve);
    });
  } else {
    await new Promise((resolve) => setTimeout(resolve, Number(hold)));
  }
  if (journal) await fs.appendFile(journal, `exit ${process.pid}\n`);
  await handle.release();
  process.stdout.write(`${JSON.stringify({ event: 'released' })}\n`);
} catch (error) {
  const e = error as AisuiteError;
  process.stdout.write(
    `${JSON.stringify({ event: 'error', message: e.message, hint: e.hint, details: e.details })}\n`,
  );
  process.exit(e.exitCode ?? 70);
}
