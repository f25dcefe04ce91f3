import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Releases, { type ReleasesResult } from '../../src/commands/releases/index.js';
import ReleasesPrune from '../../src/commands/releases/prune.js';
import Rollback from '../../src/commands/rollback.js';
import { appendAudit } from '../../src/lib/audit/audit.js';
import { acquireLock } from '../../src/lib/lock/lock.js';
import { listReleases, releaseFile } from '../../src/lib/releases/store.js';
import { recordTestRelease } from '../lib/releases/fixtures.js';
import { runCommand } from '../lib/releases/run-command.js';

describe('releases, releases prune and rollback commands (no engine needed)', () => {
  let state: string;
  const env = () => ({ AISUITE_STATE_DIR: state, NO_COLOR: '1' });
  const fullEnv = () => ({ ...process.env, AISUITE_STATE_DIR: state });

  beforeAll(async () => {
    state = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-releases-cmd-'));
    await recordTestRelease(state, { project: 'cmd', tag: 'A', at: '2026-11-01T10:00:00Z' });
    await recordTestRelease(state, {
      project: 'cmd',
      tag: 'B',
      at: '2026-11-02T10:00:00Z',
      bindAddress: '0.0.0.0',
    });
    await recordTestRelease(state, {
      project: 'cmd',
      tag: 'C',
      at: '2026-11-03T10:00:00Z',
      status: 'failed',
    });
    await appendAudit('cmd', { action: 'up', result: 'ok', tag: 'B', from: 'A' }, fullEnv());
  });
  afterAll(async () => fs.rm(state, { recursive: true, force: true }));

  it('--json lists releases newest first with the current one marked, and the audit log with --audit', async () => {
    const run = await runCommand(Releases, ['--project', 'cmd', '--json', '--audit'], env());
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as ReleasesResult;
    expect(result.schema).toBe('aisuite.releases/v1');
    expect(result.releases.map((r) => [r.tag, r.status, r.current])).toEqual([
      ['C', 'failed', false],
      ['B', 'good', true],
      ['A', 'good', false],
    ]);
    expect(result.current).toBe('B');
    expect(result.releases[1]!.services).toEqual(['inference-chat', 'inference-code', 'api-gateway']);
    expect(result.audit).toEqual([expect.objectContaining({ action: 'up', tag: 'B', from: 'A' })]);
    // no secret and no rendered file content in the listing
    expect(run.stdout).not.toContain('POSTGRES_PASSWORD=');
    expect(run.stdout).not.toContain('services:\n');
  });

  it('prints a table with the current release starred', async () => {
    const run = await runCommand(Releases, ['--project', 'cmd'], env());
    expect(run.stdout).toMatch(/^\*\s+B\s+good\s+not-run/m);
    expect(run.stdout).toMatch(/^\s+C\s+failed/m);
  });

  it('rollback to a tag that does not exist exits 2 and names the known releases', async () => {
    const run = await runCommand(Rollback, ['nope', '--project', 'cmd'], env());
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('has no release "nope"');
    expect(run.stderr).toMatch(/Nothing was changed\. Known releases: C, B, A/);
  });

  it('a lock held by another run makes prune and rollback exit 5 with the holder identity', async () => {
    const handle = await acquireLock('cmd', 'up', { env: fullEnv() });
    try {
      const prune = await runCommand(ReleasesPrune, ['--project', 'cmd', '--keep', '1'], env());
      expect(prune.exitCode).toBe(5);
      expect(prune.stderr).toContain(`pid ${process.pid} running \`aisuite up\``);
      const rollback = await runCommand(Rollback, ['A', '--project', 'cmd', '--json'], env());
      expect(rollback.exitCode).toBe(5);
      expect(JSON.parse(rollback.stdout)).toMatchObject({ error: { code: 'LOCKED', exitCode: 5 } });
    } finally {
      await handle.release();
    }
    expect((await listReleases('cmd', fullEnv())).records).toHaveLength(3);
  });

  it('a truncated record is reported by releases and the commands refuse to act on it', async () => {
    // Given a damaged copy of release A under its own tag
    const text = await fs.readFile(releaseFile('cmd', 'A', fullEnv()), 'utf8');
    const damaged = releaseFile('cmd', 'D', fullEnv());
    await fs.writeFile(damaged, text.slice(0, 300));
    try {
      const list = await runCommand(Releases, ['--project', 'cmd', '--json'], env());
      expect(list.exitCode).toBe(0);
      const result = JSON.parse(list.stdout) as ReleasesResult;
      expect(result.corrupt).toEqual([expect.objectContaining({ tag: 'D', file: damaged })]);
      expect(result.releases.map((r) => r.tag)).not.toContain('D');
      expect(list.stderr).toContain('damaged release record');

      const rollback = await runCommand(Rollback, ['D', '--project', 'cmd'], env());
      expect(rollback.exitCode).toBe(2);
      expect(rollback.stderr).toMatch(/refusing to roll back to D.*damaged/s);
      const implicit = await runCommand(Rollback, ['--project', 'cmd'], env());
      expect(implicit.exitCode).toBe(2);
      expect(implicit.stderr).toContain('refusing to choose the release to roll back to');
      const prune = await runCommand(ReleasesPrune, ['--project', 'cmd', '--keep', '1'], env());
      expect(prune.exitCode).toBe(2);
      expect((await listReleases('cmd', fullEnv())).records).toHaveLength(3); // nothing removed
    } finally {
      await fs.rm(damaged);
    }
  });
});
