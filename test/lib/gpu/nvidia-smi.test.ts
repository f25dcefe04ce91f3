import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBanner, parseGpuList, parseQueryCsv, queryGpus } from '../../../src/lib/gpu/nvidia-smi.js';

const fixture = (name: string) =>
  readFile(path.join(import.meta.dirname, '../../fixtures/nvidia-smi-h100', name), 'utf8');

describe('nvidia-smi parser (recorded H100 output)', () => {
  it('reads the CSV query with header and units', async () => {
    const gpus = parseQueryCsv(await fixture('query.csv'));
    expect(gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-1dc199d3-1dcd-6659-6c8c-97ee0f9acecd',
        memoryTotalMiB: 81559,
        memoryUsedMiB: 0,
        memoryFreeMiB: 81079,
        driverVersion: '580.159.04',
        computeCapability: '9.0',
        utilizationPercent: 0,
        temperatureC: 47,
      },
    ]);
  });

  it('reads a noheader CSV with the given field order', async () => {
    const gpus = parseQueryCsv(await fixture('query-noheader.csv'), [
      'index',
      'name',
      'memory.total',
      'memory.free',
      'driver_version',
    ]);
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      memoryTotalMiB: 81559,
      memoryFreeMiB: 81079,
      driverVersion: '580.159.04',
    });
    expect(gpus[0]?.uuid).toBeUndefined();
  });

  it('reads `nvidia-smi -L`', async () => {
    expect(parseGpuList(await fixture('list.txt'))).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-1dc199d3-1dcd-6659-6c8c-97ee0f9acecd' },
    ]);
  });

  it('reads driver and CUDA versions from the plain banner', async () => {
    expect(parseBanner(await fixture('plain.txt'))).toEqual({
      driverVersion: '580.159.04',
      cudaVersion: '13.0',
    });
  });

  it('treats N/A as unknown and rejects a row without a name', () => {
    const [gpu] = parseQueryCsv('1, Tesla T4, [N/A], 15360, [N/A], 15000, 535.1, 7.5, [N/A], 40');
    expect(gpu).toMatchObject({ index: 1, name: 'Tesla T4', memoryTotalMiB: 15360 });
    expect(gpu?.uuid).toBeUndefined();
    expect(gpu?.memoryUsedMiB).toBeUndefined();
    expect(() => parseQueryCsv('0, , x')).toThrow(/without index or name/);
    expect(parseQueryCsv('\n')).toEqual([]);
  });
});

describe('queryGpus', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says why when nvidia-smi is missing', async () => {
    const probe = await queryGpus('/nonexistent/nvidia-smi');
    expect(probe).toEqual({ available: false, reason: expect.stringMatching(/not found/) });
  });

  it('runs a real executable and parses its output', async () => {
    // A script that prints the recorded H100 output, standing in for the real binary (no GPU here).
    dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-gpu-'));
    const csv = (await fixture('query.csv'))
      .split('\n')
      .slice(1)
      .join('\n')
      .replace(/ (MiB|%)/g, '');
    const script = path.join(dir, 'nvidia-smi');
    await writeFile(script, `#!/bin/sh\ncat <<'OUT'\n${csv}\nOUT\n`);
    await chmod(script, 0o755);
    const probe = await queryGpus(script);
    expect(probe.available).toBe(true);
    if (probe.available) expect(probe.gpus[0]?.memoryTotalMiB).toBe(81559);

    const failing = path.join(dir, 'failing');
    await writeFile(
      failing,
      '#!/bin/sh\necho "NVIDIA-SMI has failed because it could not communicate" >&2\nexit 9\n',
    );
    await chmod(failing, 0o755);
    expect(await queryGpus(failing)).toEqual({
      available: false,
      reason: expect.stringContaining('could not communicate'),
    });
  });
});
