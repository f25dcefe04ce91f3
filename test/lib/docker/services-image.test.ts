import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseBuildCa,
  planServicesImage,
  SYSTEM_CA_BUNDLE,
} from '../../../src/lib/docker/services-image.js';
import { syncRenderedDir } from '../../../src/lib/docker/rendered-dir.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'aisuite-svcimg-'));
  await mkdir(path.join(root, 'docker'));
  await mkdir(path.join(root, 'dist', 'services'), { recursive: true });
  await writeFile(path.join(root, 'docker', 'Dockerfile'), 'FROM scratch\n');
  await writeFile(path.join(root, 'package.json'), '{"name":"x","version":"1.0.0"}');
  await writeFile(path.join(root, 'package-lock.json'), '{}');
  await writeFile(path.join(root, 'dist', 'services', 'main.js'), 'console.log(1)');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('services image plan', () => {
  it('tags by package version and content, and lists the context (not the repo)', async () => {
    const plan = await planServicesImage({ root });
    expect(plan.ref).toMatch(/^aisuite\/services:\d+\.\d+\.\d+-[0-9a-f]{12}$/);
    expect([...plan.files.keys()].sort()).toEqual(
      [
        '.npmrc',
        'Dockerfile',
        'build-ca.crt',
        'dist/services/main.js',
        'package-lock.json',
        'package.json',
      ].sort(),
    );
    expect(plan.nodeImage).toBe('node:20-bookworm-slim');
    expect((await planServicesImage({ root })).ref).toBe(plan.ref);
  });

  it('a change in dist, the base image or the ONNX switch changes the tag; the CA does not', async () => {
    const base = (await planServicesImage({ root })).ref;
    expect((await planServicesImage({ root, nodeImage: 'mirror/node:20' })).ref).not.toBe(base);
    expect((await planServicesImage({ root, withOnnx: true })).ref).not.toBe(base);
    // the CA goes into the build context (the dependency stage), never into the image it names
    const ca = path.join(root, 'ca.pem');
    await writeFile(ca, 'CERT');
    const withCa = await planServicesImage({ root, caFile: ca });
    expect(withCa.files.get('build-ca.crt')).toBe(ca);
    expect(withCa.ref).toBe(base);
    await writeFile(path.join(root, 'dist', 'services', 'main.js'), 'console.log(2)');
    expect((await planServicesImage({ root })).ref).not.toBe(base);
  });

  it("the CLI's own build is not part of it: a changed command keeps the tag (no container recreated)", async () => {
    const before = await planServicesImage({ root });
    await mkdir(path.join(root, 'dist', 'lib'), { recursive: true });
    await writeFile(path.join(root, 'dist', 'lib', 'command-up.js'), 'export default 1');
    const after = await planServicesImage({ root });
    expect(after.ref).toBe(before.ref);
    expect([...after.files.keys()].filter((f) => f.startsWith('dist/'))).toEqual(['dist/services/main.js']);
    // while a chunk of the services' bundle is
    await writeFile(path.join(root, 'dist', 'services', 'chunk-ABC.js'), 'export {}');
    expect((await planServicesImage({ root })).ref).not.toBe(before.ref);
  });

  it("the build's context for it is main.js and its chunks only (tsc's per-service modules are inlined)", async () => {
    const plan = await planServicesImage({
      root: path.resolve(import.meta.dirname, '../../..'),
      hashCache: false,
    });
    const dist = [...plan.files.keys()].filter((f) => f.startsWith('dist/'));
    expect(dist).toContain('dist/services/main.js');
    expect(dist.filter((f) => !/^dist\/services\/(main|chunk-[A-Z0-9]+)\.js$/.test(f))).toEqual([]);
  });

  it('remembers the hash by file identity, and never trusts it for a file that changed since', async () => {
    const file = path.join(root, 'hash-cache.json');
    const main = path.join(root, 'dist', 'services', 'main.js');
    const fresh = await planServicesImage({ root, hashCache: false });
    // files changed in the last racyMs are not remembered (they could change again unseen)
    await planServicesImage({ root, hashCache: { file, racyMs: 60_000 } });
    await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
    // remembered: a planted hash under the same key is what the next plan uses, without reading files
    const cached = await planServicesImage({ root, hashCache: { file, racyMs: 0 } });
    expect(cached.hash).toBe(fresh.hash);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { key: string; hash: string };
    await writeFile(file, JSON.stringify({ key: saved.key, hash: 'f'.repeat(64) }));
    expect((await planServicesImage({ root, hashCache: { file, racyMs: 0 } })).hash).toBe('f'.repeat(64));
    // same size, new content: the change time moved, so the planted hash is not used
    await writeFile(main, 'console.log(3)');
    const changed = await planServicesImage({ root, hashCache: { file, racyMs: 0 } });
    expect(changed.hash).not.toBe('f'.repeat(64));
    expect(changed.hash).toBe((await planServicesImage({ root, hashCache: false })).hash);
    // an unreadable cache is ignored
    await writeFile(file, '{not json');
    expect((await planServicesImage({ root, hashCache: { file, racyMs: 0 } })).hash).toBe(changed.hash);
  });

  it('says what is missing', async () => {
    await expect(planServicesImage({ root, caFile: path.join(root, 'nope.pem') })).rejects.toThrow(
      /nope\.pem is missing/,
    );
    await expect(planServicesImage({ root: path.join(root, 'dist') })).rejects.toThrow(/is missing/);
  });

  it('chooses the CA: flag, then build.caFile relative to the config, then the system bundle', () => {
    expect(chooseBuildCa('/a.pem', { caFile: 'b.pem', useSystemCa: true }, '/cfg')).toBe('/a.pem');
    expect(chooseBuildCa(undefined, { caFile: 'b.pem' }, '/cfg')).toBe('/cfg/b.pem');
    expect(chooseBuildCa(undefined, { useSystemCa: true })).toBe(SYSTEM_CA_BUNDLE);
    expect(chooseBuildCa(undefined, undefined)).toBeUndefined();
  });
});

describe('rendered directory', () => {
  it('writes changed files, leaves unchanged ones alone and removes stale ones, in place', async () => {
    const dir = path.join(root, 'rendered');
    const first = await syncRenderedDir(dir, [
      { path: 'compose.yaml', content: 'a' },
      { path: 'prometheus/prometheus.yml', content: 'p1' },
      { path: 'prometheus/rules/old.yml', content: 'r' },
    ]);
    expect(first.written.sort()).toEqual([
      'compose.yaml',
      'prometheus/prometheus.yml',
      'prometheus/rules/old.yml',
    ]);
    const second = await syncRenderedDir(dir, [
      { path: 'compose.yaml', content: 'a' },
      { path: 'prometheus/prometheus.yml', content: 'p2' },
    ]);
    expect(second).toEqual({ written: ['prometheus/prometheus.yml'], removed: ['prometheus/rules/old.yml'] });
    expect(await readFile(path.join(dir, 'prometheus', 'prometheus.yml'), 'utf8')).toBe('p2');
  });
});
