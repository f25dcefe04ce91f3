import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AisuiteError } from '../../../src/lib/errors.js';
import { dataSchemaWarnings, resolveRollbackTarget } from '../../../src/lib/releases/rollback.js';
import { recordTestRelease } from './fixtures.js';

describe('rollback target and warnings (before touching the engine)', () => {
  let state: string;
  const env = () => ({ ...process.env, AISUITE_STATE_DIR: state });
  beforeAll(async () => {
    state = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-rollback-'));
  });
  afterAll(async () => fs.rm(state, { recursive: true, force: true }));

  it('without a tag the target is the last good release before the current one; a failed one is skipped', async () => {
    await recordTestRelease(state, { project: 't', tag: 'A', at: '2026-11-01T10:00:00Z' });
    await recordTestRelease(state, { project: 't', tag: 'F', at: '2026-11-02T10:00:00Z', status: 'failed' });
    await recordTestRelease(state, { project: 't', tag: 'B', at: '2026-11-03T10:00:00Z' });
    const { target, current } = await resolveRollbackTarget('t', undefined, env());
    expect(current?.tag).toBe('B');
    expect(target.tag).toBe('A');
  });

  it('a project with a single release has nothing to roll back to (exit 2)', async () => {
    await recordTestRelease(state, { project: 'one', tag: 'A', at: '2026-11-01T10:00:00Z' });
    const error = await resolveRollbackTarget('one', undefined, env()).catch((e: unknown) => e);
    expect((error as AisuiteError).exitCode).toBe(2);
    expect((error as AisuiteError).message).toContain('no good release before A');
  });

  it('a project with no release at all says so, and where releases would be found (exit 2)', async () => {
    const error = await resolveRollbackTarget('never-deployed', undefined, env()).catch((e: unknown) => e);
    expect((error as AisuiteError).exitCode).toBe(2);
    expect((error as AisuiteError).message).toBe(
      'project never-deployed has no release recorded: there is nothing to roll back to',
    );
    expect((error as AisuiteError).hint).toMatch(/--project, --config\) and the state directory/);
  });

  it('warns when a data-owning service ran another image in the current release', async () => {
    const a = await recordTestRelease(state, { project: 'd', tag: 'A', at: '2026-11-01T10:00:00Z' });
    const withPg = { ...a, dataSchema: { postgres: 'pgvector/pgvector:pg17' } };
    const older = { ...a, tag: 'OLD', dataSchema: { postgres: 'pgvector/pgvector:pg16' } };
    expect(dataSchemaWarnings(withPg, older)).toEqual([
      expect.stringMatching(
        /^postgres: its data was last written by pgvector\/pgvector:pg17; release OLD runs .*pg16/,
      ),
    ]);
    expect(dataSchemaWarnings(withPg, withPg)).toEqual([]);
  });
});
