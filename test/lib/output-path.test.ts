import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AisuiteError } from '../../src/lib/errors.js';
import { outputError, prepareOutputDir, prepareOutputFile, writingTo } from '../../src/lib/output-path.js';

describe('output locations', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-output-'));
    file = path.join(dir, 'a-file');
    await fs.writeFile(file, 'x');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const refusal = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AisuiteError);
    return error as AisuiteError;
  };

  it('creates a missing directory with its parents', async () => {
    const target = path.join(dir, 'a', 'b', 'reports');
    await prepareOutputDir('--report-dir', target);
    expect((await fs.stat(target)).isDirectory()).toBe(true);
    await prepareOutputFile('--output', path.join(dir, 'c', 'report.xml'));
    expect((await fs.stat(path.join(dir, 'c'))).isDirectory()).toBe(true);
  });

  it('a file in the way of a directory: exit 2, the flag, the path and why', async () => {
    for (const target of [file, path.join(file, 'sub')]) {
      const error = await refusal(prepareOutputDir('--report-dir', target));
      expect(error.exitCode).toBe(2);
      expect(error.code).toBe('OUTPUT_NOT_WRITABLE');
      expect(error.message).toBe(`--report-dir ${target}: cannot write there (a file is in the way)`);
      expect(error.hint).toBe('Pass --report-dir a location you can write to.');
    }
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });

  it('a directory given as a file, and an existing file that may be replaced', async () => {
    const error = await refusal(prepareOutputFile('--output', dir));
    expect(error.message).toBe(`--output ${dir}: cannot write there (it is a directory)`);
    await prepareOutputFile('--output', file);
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });

  it('only file system refusals become user errors; anything else passes through unchanged', async () => {
    const bug = new TypeError('not a refusal');
    expect(outputError('--out', dir, bug)).toBe(bug);
    await expect(writingTo('--out', dir, () => Promise.reject(bug))).rejects.toBe(bug);
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const mapped = outputError('--out', dir, full) as AisuiteError;
    expect(mapped.message).toBe(`--out ${dir}: cannot write there (no space left on the device)`);
    expect(mapped.cause).toBe(full);
  });
});
