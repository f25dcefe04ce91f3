import fs from 'node:fs/promises';
import { fail, pass, type FileProbeSpec, type Probe, type ProbeOutcome } from './types.js';

/** Parses `"0600"`, `"600"` or a number into permission bits. */
export function parseMode(mode: string | number): number {
  if (typeof mode === 'number') return mode;
  if (!/^0?[0-7]{3,4}$/.test(mode)) throw new Error(`invalid file mode ${JSON.stringify(mode)}`);
  return parseInt(mode, 8);
}

const octal = (n: number) => `0${n.toString(8).padStart(3, '0')}`;

/** File probe: exists, type, minimum size and exact mode (e.g. the secrets file's 0600). */
export class FileProbe implements Probe {
  readonly kind = 'file';
  constructor(private readonly spec: FileProbeSpec) {}

  async run(): Promise<ProbeOutcome> {
    const { spec } = this;
    let stat;
    try {
      stat = await fs.stat(spec.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return fail(code === 'ENOENT' ? `${spec.path} does not exist` : `${spec.path}: ${code}`);
    }
    const mode = stat.mode & 0o7777;
    const observed = { size: stat.size, mode: octal(mode) };
    const type = spec.type ?? 'file';
    if (type === 'file' && !stat.isFile()) return fail(`${spec.path} is not a regular file`, observed);
    if (type === 'directory' && !stat.isDirectory()) return fail(`${spec.path} is not a directory`, observed);
    if (spec.minBytes !== undefined && stat.size < spec.minBytes) {
      return fail(`${spec.path} has ${stat.size} bytes (expected >= ${spec.minBytes})`, observed);
    }
    if (spec.mode !== undefined) {
      const want = parseMode(spec.mode);
      if (mode !== want)
        return fail(`${spec.path} has mode ${octal(mode)} (expected ${octal(want)})`, observed);
    }
    return pass(
      `${spec.path} ${type === 'directory' ? 'directory' : `${stat.size} bytes`}, mode ${octal(mode)}`,
      observed,
    );
  }
}
