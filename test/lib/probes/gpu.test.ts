import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe, systemClock } from '../../../src/lib/probes/index.js';

// nvidia-smi cannot run here (no GPU): a stand-in executable prints the output recorded on an H100
// (test/fixtures/nvidia-smi-h100/query.csv), and the probe runs it as a real subprocess.
const RECORDED = fileURLToPath(new URL('../../fixtures/nvidia-smi-h100/query.csv', import.meta.url));
const ctx = () => ({ signal: AbortSignal.timeout(5000), clock: systemClock });
let dir: string;
let recorded: string;
let broken: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-gpu-'));
  recorded = path.join(dir, 'nvidia-smi-recorded-h100');
  await fs.writeFile(recorded, `#!/bin/sh\ncat '${RECORDED}'\n`, { mode: 0o755 });
  broken = path.join(dir, 'nvidia-smi-no-driver');
  await fs.writeFile(
    broken,
    '#!/bin/sh\necho "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2\nexit 9\n',
    { mode: 0o755 },
  );
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('gpu probe with recorded nvidia-smi output', () => {
  it('sees the H100 and its free memory', async () => {
    const outcome = await createProbe({
      kind: 'gpu',
      binary: recorded,
      minCount: 1,
      minFreeMemoryMiB: 40_000,
    }).run(ctx());
    expect(outcome).toMatchObject({
      ok: true,
      message: '1 GPU(s): 0: NVIDIA H100 80GB HBM3, 81079 MiB free',
    });
  });

  it('fails when more GPUs or more memory are needed', async () => {
    expect((await createProbe({ kind: 'gpu', binary: recorded, minCount: 2 }).run(ctx())).message).toBe(
      '1 GPU(s) visible (need 2)',
    );
    expect(
      (await createProbe({ kind: 'gpu', binary: recorded, minFreeMemoryMiB: 90_000 }).run(ctx())).message,
    ).toBe('GPU 0 81079 MiB free (need 90000 MiB)');
  });

  it('reports why nvidia-smi failed', async () => {
    const outcome = await createProbe({ kind: 'gpu', binary: broken }).run(ctx());
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain("couldn't communicate with the NVIDIA driver");
    const missing = await createProbe({ kind: 'gpu', binary: path.join(dir, 'absent') }).run(ctx());
    expect(missing.message).toMatch(/not found/);
  });
});
