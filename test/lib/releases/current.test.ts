import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chooseCurrent,
  currentReleaseOf,
  listSummaries,
  summaryOf,
} from '../../../src/lib/releases/current.js';
import { markDeployed } from '../../../src/lib/releases/record.js';
import { currentRelease } from '../../../src/lib/releases/select.js';
import { listReleases, releaseFile, releasesDir } from '../../../src/lib/releases/store.js';
import { recordTestRelease, tempStateDir } from './fixtures.js';

// currentReleaseOf must give what choosing from every verified record gives, reading only what changed.
describe('currentReleaseOf (the summary cache)', () => {
  const { state, env } = tempStateDir('aisuite-current-');
  const fromRecords = async (project: string) =>
    currentRelease((await listReleases(project, env())).records)?.tag;
  const cacheFile = (project: string) => path.join(releasesDir(project, env()), '.summaries.json');

  it('nothing deployed: undefined, and no cache written', async () => {
    expect(await currentReleaseOf('none', env())).toBeUndefined();
    await expect(fs.stat(cacheFile('none'))).rejects.toThrow(/ENOENT/);
  });

  it('agrees with the full read as releases are added, fail, are rolled back to and are damaged', async () => {
    const project = 'c1';
    await recordTestRelease(state(), { project, tag: 'A', at: '2026-11-01T10:00:00Z' });
    await recordTestRelease(state(), { project, tag: 'B', at: '2026-11-02T10:00:00Z' });
    expect((await currentReleaseOf(project, env()))?.tag).toBe('B');
    expect(await fs.readFile(cacheFile(project), 'utf8')).toContain('"tag":"B"');
    // a newer failed release is not current
    await recordTestRelease(state(), { project, tag: 'C', at: '2026-11-03T10:00:00Z', status: 'failed' });
    expect((await currentReleaseOf(project, env()))?.tag).toBe('B');
    // a rollback to A rewrites A's record (a new file): A is current
    const { records } = await listReleases(project, env());
    await markDeployed(
      records.find((r) => r.tag === 'A')!,
      {
        command: 'rollback',
        status: 'good',
        env: env(),
        now: new Date('2026-11-04T10:00:00Z'),
      },
    );
    expect((await currentReleaseOf(project, env()))?.tag).toBe('A');
    expect(await fromRecords(project)).toBe('A');
    // A damaged afterwards (edited in place: the file changed, so it is read and verified again) is
    // not considered: B is current, as the full read says
    const file = releaseFile(project, 'A', env());
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('"status":"good"', '"status":"gooD"'));
    expect(await fromRecords(project)).toBe('B');
    expect((await currentReleaseOf(project, env()))?.tag).toBe('B');
    // and it is reported every time (`up` warns about it), cache or not
    for (let i = 0; i < 2; i++) {
      const { current, corrupt } = await chooseCurrent(project, env());
      expect(current?.tag).toBe('B');
      expect(corrupt.map((c) => [c.tag, c.reason.split(':')[0]])).toEqual([['A', 'checksum mismatch']]);
    }
    // a release removed (prune) is gone from the choice
    await fs.rm(releaseFile(project, 'B', env()));
    expect((await currentReleaseOf(project, env()))?.tag).toBe(await fromRecords(project));
    expect(await fromRecords(project)).toBeUndefined();
  });

  it('reads a record again only when its file changed', async () => {
    const project = 'c2';
    await recordTestRelease(state(), { project, tag: 'A', at: '2026-11-01T10:00:00Z' });
    await recordTestRelease(state(), { project, tag: 'B', at: '2026-11-02T10:00:00Z' });
    const file = releaseFile(project, 'A', env());
    const mtime = new Date('2026-11-05T00:00:00.000Z'); // whole milliseconds, so utimes can restore it
    await fs.utimes(file, mtime, mtime);
    expect((await currentReleaseOf(project, env()))?.tag).toBe('B');
    // A's content damaged with its size, inode and mtime kept: the cached summary still stands for it,
    // so it is not read (a full read would refuse it); B, the one chosen, is always read in full
    const before = await fs.stat(file);
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace('"project":"c2"', '"project":"x2"'));
    await fs.utimes(file, mtime, mtime);
    expect((await fs.stat(file)).size).toBe(before.size);
    expect((await listReleases(project, env())).corrupt.map((c) => c.tag)).toEqual(['A']);
    const cached = await fs.readFile(cacheFile(project), 'utf8');
    expect((await currentReleaseOf(project, env()))?.tag).toBe('B');
    // had A been read, it would have been dropped from the cache as damaged
    expect(await fs.readFile(cacheFile(project), 'utf8')).toBe(cached);
    expect(cached).toContain('"tag":"A"');
  });

  it('a cache that is damaged, or claims what the record does not say, is not trusted', async () => {
    const project = 'c3';
    await recordTestRelease(state(), { project, tag: 'A', at: '2026-11-01T10:00:00Z' });
    await recordTestRelease(state(), { project, tag: 'B', at: '2026-11-02T10:00:00Z', status: 'failed' });
    expect((await currentReleaseOf(project, env()))?.tag).toBe('A');
    await fs.writeFile(cacheFile(project), '{"format":1,"summaries":[{');
    expect((await currentReleaseOf(project, env()))?.tag).toBe('A');
    // a summary saying B is good (B's file unchanged, so the summary is believed) is checked against
    // B's record when B is chosen: B is failed, so the choice falls back to reading the records
    const cache = JSON.parse(await fs.readFile(cacheFile(project), 'utf8')) as {
      summaries: { tag: string; status: string }[];
    };
    for (const s of cache.summaries) if (s.tag === 'B') s.status = 'good';
    await fs.writeFile(cacheFile(project), JSON.stringify(cache));
    expect((await currentReleaseOf(project, env()))?.tag).toBe('A');
  });

  it('listSummaries gives what the records say, newest first, the damaged ones apart, cache or not', async () => {
    await recordTestRelease(state(), { project: 's', tag: 'A', at: '2026-11-01T10:00:00Z', phase: '2' });
    await recordTestRelease(state(), {
      project: 's',
      tag: 'B',
      at: '2026-11-02T10:00:00Z',
      status: 'failed',
    });
    await recordTestRelease(state(), { project: 's', tag: 'C', at: '2026-11-03T10:00:00Z' });
    await fs.writeFile(releaseFile('s', 'C', env()), '{"format":');
    const full = await listReleases('s', env());
    for (let i = 0; i < 2; i++) {
      const listed = await listSummaries('s', env());
      expect(listed.summaries).toEqual(full.records.map(summaryOf));
      expect(listed.summaries.map((s) => [s.tag, s.status, s.phase])).toEqual([
        ['B', 'failed', 1],
        ['A', 'good', 2],
      ]);
      expect(listed.corrupt).toEqual(full.corrupt);
    }
  });
});
