import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInherited, resolveSuite } from '../../../src/lib/suite/resolve.js';
import { recordTestRelease } from '../releases/fixtures.js';

// `up` and `checklist` without --phase/--cpu/--gpu: the selection of the project's current release,
// so a plain re-run neither drops phases 2 and 3 (removing their containers) nor checks a phase-1 suite.
describe('phase and profile from the deployed release', () => {
  let state: string;
  const env = () => ({ ...process.env, AISUITE_STATE_DIR: state });
  const resolve = (flags: Record<string, unknown>, deployedDefaults = true) =>
    resolveSuite(
      { project: 'dep', ...flags },
      { missingModels: 'warn', deployedDefaults, env: env(), cwd: state },
    );

  beforeAll(async () => {
    state = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-deployed-'));
  });
  afterAll(async () => fs.rm(state, { recursive: true, force: true }));

  it('nothing deployed: phase 1, CPU, nothing inherited', async () => {
    const resolved = await resolve({});
    expect(resolved.options.phase).toBe(1);
    expect(resolved.options.profile).toBe('cpu');
    expect(resolved.inherited).toBeUndefined();
  });

  it('takes what no flag or config sets from the current release, and says so', async () => {
    await recordTestRelease(state, { project: 'dep', tag: 'p3', phase: '3', at: '2026-11-01T10:00:00Z' });
    // a later failed release is not the one running
    await recordTestRelease(state, {
      project: 'dep',
      tag: 'p2-failed',
      phase: '2',
      status: 'failed',
      at: '2026-11-02T10:00:00Z',
    });
    const resolved = await resolve({});
    expect(resolved.options.phase).toBe(3);
    expect(resolved.suite.services.map((s) => s.name)).toContain('mcp-server');
    expect(resolved.inherited).toEqual({ release: 'p3', phase: 3, profile: 'cpu' });
    expect(describeInherited(resolved.inherited!)).toBe(
      'Using phase 3 and the CPU profile of the deployed release p3 (--phase or --cpu/--gpu to choose another).',
    );
  });

  it('a flag or aisuite.yaml wins; only the open one is inherited', async () => {
    const phase2 = await resolve({ phase: '2' });
    expect(phase2.options.phase).toBe(2);
    expect(phase2.inherited).toEqual({ release: 'p3', phase: undefined, profile: 'cpu' });
    expect(describeInherited(phase2.inherited!)).toBe(
      'Using the CPU profile of the deployed release p3 (--cpu/--gpu to choose another).',
    );
    const config = path.join(state, 'aisuite.yaml');
    await fs.writeFile(config, 'phase: 1\nprofile: cpu\n');
    const fromConfig = await resolve({ config });
    expect(fromConfig.options.phase).toBe(1);
    expect(fromConfig.inherited).toBeUndefined();
  });

  it('render and verify never look (deployedDefaults off)', async () => {
    const resolved = await resolve({}, false);
    expect(resolved.options.phase).toBe(1);
    expect(resolved.inherited).toBeUndefined();
  });
});
