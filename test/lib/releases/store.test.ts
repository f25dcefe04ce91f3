import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTag } from '../../../src/lib/releases/content.js';
import { currentRelease, previousGoodRelease } from '../../../src/lib/releases/select.js';
import {
  assertValidTag,
  listReleases,
  readRelease,
  releaseFile,
  writeRelease,
} from '../../../src/lib/releases/store.js';
import { markDeployed } from '../../../src/lib/releases/record.js';
import { renderSuite } from '../../../src/lib/render/index.js';
import { resolveSuite } from '../../../src/lib/suite/resolve.js';
import { recordTestRelease, tempStateDir } from './fixtures.js';

describe('release store', () => {
  const { state, env } = tempStateDir('aisuite-releases-');

  it('records a release with its rendered files, images and hashes, and reads it back verified', async () => {
    const record = await recordTestRelease(state(), { project: 'p1', at: '2026-11-01T10:00:00Z' });
    // default tag: package version + 8 hex of the content hash
    expect(record.tag).toMatch(/^0\.1\.0-[0-9a-f]{8}$/);
    expect(record.contentHash.startsWith(record.tag.slice(6))).toBe(true);
    expect(record.files.map((f) => f.path)).toContain('compose.yaml');
    expect(record.envHash).toMatch(/^[0-9a-f]{64}$/);
    const read = await readRelease('p1', record.tag, env());
    expect(read?.ok).toBe(true);
    expect(read?.ok && read.record).toEqual(record);
    const mode = (await fs.stat(releaseFile('p1', record.tag, env()))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('the default tag changes with a setting and stays equal for equal content', async () => {
    const load = async (bind: string) => {
      const resolved = await resolveSuite(
        { project: 'p', phase: '1', cpu: true, 'bind-address': bind },
        { missingModels: 'warn', env: env(), cwd: state() },
      );
      return defaultTag(resolved.suite, await renderSuite(resolved.suite));
    };
    expect(await load('127.0.0.1')).toBe(await load('127.0.0.1'));
    expect(await load('127.0.0.1')).not.toBe(await load('0.0.0.0'));
  });

  it('a record truncated on purpose is reported as damaged and never used', async () => {
    const good = await recordTestRelease(state(), { project: 'p2', at: '2026-11-01T10:00:00Z', tag: 'a' });
    await recordTestRelease(state(), { project: 'p2', at: '2026-11-02T10:00:00Z', tag: 'b' });
    const file = releaseFile('p2', 'b', env());
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, Math.floor(text.length / 2)));

    const read = await readRelease('p2', 'b', env());
    expect(read?.ok).toBe(false);
    expect(!read?.ok && read?.corrupt.reason).toMatch(/not valid JSON/);
    const list = await listReleases('p2', env());
    expect(list.records.map((r) => r.tag)).toEqual(['a']);
    expect(list.corrupt).toEqual([expect.objectContaining({ tag: 'b', file })]);
    expect(currentRelease(list.records)?.tag).toBe(good.tag);
  });

  it('a record edited in place (valid JSON, wrong checksum) is reported as damaged', async () => {
    await recordTestRelease(state(), { project: 'p3', at: '2026-11-01T10:00:00Z', tag: 'x' });
    const file = releaseFile('p3', 'x', env());
    const envelope = JSON.parse(await fs.readFile(file, 'utf8')) as { record: { images: { ref: string }[] } };
    envelope.record.images[0]!.ref = 'evil/image:latest';
    await fs.writeFile(file, JSON.stringify(envelope));
    const read = await readRelease('p3', 'x', env());
    expect(!read?.ok && read?.corrupt.reason).toMatch(/checksum mismatch/);
  });

  it('writes are atomic: a reader racing 40 rewrites never sees a partial record, and no temp file is left', async () => {
    const record = await recordTestRelease(state(), { project: 'p4', at: '2026-11-01T10:00:00Z', tag: 'r' });
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const read = await readRelease('p4', 'r', env());
        expect(read?.ok, !read?.ok ? read?.corrupt.reason : '').toBe(true);
        reads += 1;
      }
    })();
    for (let i = 0; i < 40; i += 1) {
      // a bigger record each time, so a torn write would be visible as truncated JSON
      await writeRelease({ ...record, failure: 'x'.repeat(i * 5000) }, env());
    }
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    const names = await fs.readdir(path.dirname(releaseFile('p4', 'r', env())));
    expect(names).toEqual(['r.json']);
  });

  it('current is the good release deployed last; the default rollback target the good one before it', async () => {
    await recordTestRelease(state(), { project: 'p5', tag: 'A', at: '2026-11-01T10:00:00Z' });
    await recordTestRelease(state(), { project: 'p5', tag: 'B', at: '2026-11-02T10:00:00Z' });
    await recordTestRelease(state(), {
      project: 'p5',
      tag: 'C',
      at: '2026-11-03T10:00:00Z',
      status: 'failed',
    });
    let { records } = await listReleases('p5', env());
    expect(records.map((r) => r.tag)).toEqual(['C', 'B', 'A']);
    expect(currentRelease(records)?.tag).toBe('B');
    expect(previousGoodRelease(records)?.tag).toBe('A');
    // after a rollback to A, A is current and B is the previous good one
    await markDeployed(
      records.find((r) => r.tag === 'A')!,
      {
        command: 'rollback',
        status: 'good',
        env: env(),
        now: new Date('2026-11-04T10:00:00Z'),
      },
    );
    ({ records } = await listReleases('p5', env()));
    expect(currentRelease(records)?.tag).toBe('A');
    expect(previousGoodRelease(records)?.tag).toBe('B');
    expect(records.find((r) => r.tag === 'A')?.deployments.map((d) => d.command)).toEqual(['up', 'rollback']);
  });

  it('rejects tags that could escape the releases directory', () => {
    expect(() => assertValidTag('../../etc/passwd')).toThrow(/invalid release tag/);
    expect(() => assertValidTag('v1.2.3_rc-1')).not.toThrow();
  });
});
