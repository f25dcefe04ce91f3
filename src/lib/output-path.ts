/**
 * Where the user asked aisuite to write (`--out`, `--output`, `--report-dir`). A location that cannot
 * be written is the user's to fix (exit 2, saying why), not a bug; the commands that work for minutes
 * before writing (verify, checklist) check it first, so the run is not lost at the end.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsRefusal, UserError } from './errors.js';

/** `error` as a UserError naming the flag and the path when it is a file system refusal; else as is. */
export function outputError(flag: string, target: string, error: unknown): unknown {
  const reason = fsRefusal(error);
  if (!reason) return error;
  return new UserError(`${flag} ${target}: cannot write there (${reason})`, {
    hint: `Pass ${flag} a location you can write to.`,
    code: 'OUTPUT_NOT_WRITABLE',
    cause: error,
    details: { flag, path: target },
  });
}

/** Runs `write`, turning a file system refusal into `outputError`. */
export async function writingTo<T>(flag: string, target: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw outputError(flag, target, error);
  }
}

/** Creates `dir` (and its parents) and checks that it can be written to. */
export async function prepareOutputDir(flag: string, dir: string): Promise<void> {
  await writingTo(flag, dir, async () => {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, constants.W_OK);
  });
}

/** Creates the directory of `file` and checks that `file` can be written (and is not a directory). */
export async function prepareOutputFile(flag: string, file: string): Promise<void> {
  await prepareOutputDir(flag, path.dirname(file));
  await writingTo(flag, file, async () => {
    const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (stat?.isDirectory()) throw Object.assign(new Error(`${file} is a directory`), { code: 'EISDIR' });
    if (stat) await fs.access(file, constants.W_OK);
  });
}
