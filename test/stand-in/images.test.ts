import Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { recipeHashes } from '../support/stand-in/hash.js';
import {
  HASH_LABEL,
  NAME_LABEL,
  RECIPES,
  STAND_IN_NAMES,
  buildStandInImages,
  ensureStandInImages,
} from '../support/stand-in/images.js';
import { BUILD_TIMEOUT_MS } from '../support/stand-in/timeouts.js';

const docker = new Docker();
let refs: Record<string, string>;

// In beforeAll: a cold build takes a minute or two, more than a test's timeout.
beforeAll(async () => {
  refs = await ensureStandInImages();
}, BUILD_TIMEOUT_MS);

describe('stand-in image cache', () => {
  it('builds (or finds) every stand-in and labels it with its recipe hash', async () => {
    expect(Object.keys(refs).sort()).toEqual([...STAND_IN_NAMES].sort());
    const hashes = await recipeHashes();
    for (const name of STAND_IN_NAMES) {
      const info = await docker.getImage(refs[name]!).inspect();
      expect(info.Config.Labels?.[HASH_LABEL]).toBe(hashes[name]);
      expect(info.Config.Labels?.[NAME_LABEL]).toBe(name);
    }
  });

  it('builds nothing when every image carries the current hash', async () => {
    const reports = await buildStandInImages(STAND_IN_NAMES, { log: () => undefined });
    expect(reports.map((r) => r.action)).toEqual(STAND_IN_NAMES.map(() => 'cached'));
  });

  it('gives each recipe its own hash, and a base change reaches the images built on it', async () => {
    const hashes = await recipeHashes();
    expect(new Set(Object.values(hashes)).size).toBe(STAND_IN_NAMES.length);
    const previous = process.env.AISUITE_DEBIAN_MIRROR;
    process.env.AISUITE_DEBIAN_MIRROR = 'http://mirror.invalid/debian';
    try {
      const moved = await recipeHashes();
      for (const name of STAND_IN_NAMES) expect(moved[name]).not.toBe(hashes[name]);
    } finally {
      if (previous === undefined) delete process.env.AISUITE_DEBIAN_MIRROR;
      else process.env.AISUITE_DEBIAN_MIRROR = previous;
    }
  });

  it('hashes only the asked-for images and their bases (postgres does not need npm)', async () => {
    const previous = process.env.AISUITE_STANDIN_NPM_DIR;
    process.env.AISUITE_STANDIN_NPM_DIR = '/nonexistent/npm';
    try {
      const hashes = await recipeHashes(undefined, ['postgres']);
      expect(Object.keys(hashes).sort()).toEqual(['debian-trixie', 'postgres']);
      await expect(recipeHashes(undefined, ['node'])).rejects.toThrow(/nonexistent\/npm/);
    } finally {
      if (previous === undefined) delete process.env.AISUITE_STANDIN_NPM_DIR;
      else process.env.AISUITE_STANDIN_NPM_DIR = previous;
    }
  });

  it('rejects unknown names with the list of known ones', async () => {
    await expect(ensureStandInImages(['grafana'])).rejects.toThrow(
      /unknown stand-in image\(s\): grafana \(known: debian-bookworm/,
    );
    expect(RECIPES.postgres.ref).toBe('aisuite-standin/pgvector:pg17');
  });
});
