import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerImageOps, protectedImages, pruneReleases } from '../../../src/lib/releases/prune.js';
import { listReleases } from '../../../src/lib/releases/store.js';
import { recordTestRelease } from './fixtures.js';

const docker = new Docker();
const repo = `aisuite-prunetest-${randomBytes(3).toString('hex')}/svc`;

/** A tiny image with its own content (FROM scratch: builds offline in a moment). */
async function tinyImage(tag: string, dir: string): Promise<string> {
  const ctx = path.join(dir, tag);
  await fs.mkdir(ctx, { recursive: true });
  await fs.writeFile(path.join(ctx, 'f'), `${tag} ${randomBytes(8).toString('hex')}`);
  await execa('docker', ['build', '-q', '-t', `${repo}:${tag}`, '-f', '-', ctx], {
    input: 'FROM scratch\nCOPY f /f\n',
  });
  return (await docker.getImage(`${repo}:${tag}`).inspect()).Id;
}

describe('releases prune on a real engine', () => {
  let state: string;
  const env = () => ({ ...process.env, AISUITE_STATE_DIR: state });
  const ids: Record<string, string> = {};
  let containerId = '';

  beforeAll(async () => {
    state = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-prune-'));
    for (const tag of ['a', 'b', 'c', 'd']) ids[tag] = await tinyImage(tag, state);
    // release A used image a, B used b, C used c and d; D (current) uses d too
    const img = (tag: string) => ({ ref: `${repo}:${tag}`, id: ids[tag]!, services: ['api-gateway'] });
    await recordTestRelease(state, {
      project: 'pr',
      tag: 'A',
      at: '2026-11-01T10:00:00Z',
      images: [img('a')],
    });
    await recordTestRelease(state, {
      project: 'pr',
      tag: 'B',
      at: '2026-11-02T10:00:00Z',
      images: [img('b')],
    });
    await recordTestRelease(state, {
      project: 'pr',
      tag: 'C',
      at: '2026-11-03T10:00:00Z',
      images: [img('c'), img('d')],
    });
    await recordTestRelease(state, {
      project: 'pr',
      tag: 'D',
      at: '2026-11-04T10:00:00Z',
      images: [img('d')],
    });
    // a (created, never started) container still uses image b
    containerId = (await docker.createContainer({ Image: `${repo}:b`, Cmd: ['/f'] })).id;
  });

  afterAll(async () => {
    if (containerId) await docker.getContainer(containerId).remove({ force: true });
    for (const tag of ['a', 'b', 'c', 'd']) {
      await docker
        .getImage(`${repo}:${tag}`)
        .remove({ force: true })
        .catch(() => undefined);
    }
    await fs.rm(state, { recursive: true, force: true });
  });

  it('every image a release refers to is protected', async () => {
    const { records } = await listReleases('pr', env());
    const prot = protectedImages(records);
    expect([...prot.ids].sort()).toEqual(Object.values(ids).sort());
  });

  it('--dry-run says what would go and changes nothing', async () => {
    const result = await pruneReleases('pr', 1, { images: dockerImageOps(docker), dryRun: true, env: env() });
    expect(result.removed).toEqual(['C', 'B', 'A']);
    expect((await listReleases('pr', env())).records).toHaveLength(4);
    expect(await docker.getImage(`${repo}:a`).inspect()).toBeTruthy();
  });

  it('--keep 2 removes the oldest records and only the images no kept release or container uses', async () => {
    const result = await pruneReleases('pr', 2, { images: dockerImageOps(docker), env: env() });
    expect(result.kept).toEqual(['D', 'C']);
    expect(result.removed).toEqual(['B', 'A']);
    const outcome = Object.fromEntries(result.images.map((i) => [i.ref.split(':')[1], i.outcome]));
    expect(outcome).toEqual({ a: 'removed', b: 'in-use' });
    // image a is gone, b (used by a container), c and d (kept releases) are still there
    await expect(docker.getImage(ids.a!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    for (const tag of ['b', 'c', 'd']) expect((await docker.getImage(ids[tag]!).inspect()).Id).toBe(ids[tag]);
    expect((await listReleases('pr', env())).records.map((r) => r.tag)).toEqual(['D', 'C']);
  });

  it('--keep below 1 is bad input', async () => {
    await expect(pruneReleases('pr', 0, { images: dockerImageOps(docker), env: env() })).rejects.toThrow(
      /--keep must be at least 1/,
    );
  });
});
