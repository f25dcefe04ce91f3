import { describe, expect, it } from 'vitest';
import { readAudit } from '../../../src/lib/audit/audit.js';
import { buildReport } from '../../../src/lib/checklist/report.js';
import type { CheckResult } from '../../../src/lib/checklist/types.js';
import { AisuiteError } from '../../../src/lib/errors.js';
import { acquireLock } from '../../../src/lib/lock/lock.js';
import { recordChecklistRun } from '../../../src/lib/releases/checklist.js';
import { checklistWarnings, resolveRollbackTarget } from '../../../src/lib/releases/rollback.js';
import { readRelease, writeRelease } from '../../../src/lib/releases/store.js';
import { resolveSuite } from '../../../src/lib/suite/resolve.js';
import { recordTestRelease, tempStateDir } from './fixtures.js';

function check(id: string, status: CheckResult['status']): CheckResult {
  return {
    id,
    title: id,
    stage: 'post-deploy',
    severity: 'critical',
    status,
    message: status === 'passed' ? 'HTTP 200' : 'ECONNREFUSED',
    ...(status === 'failed' ? { reason: 'probe' } : {}),
    attempts: 1,
    durationMs: 5,
    remedy: '',
    source: 'builtin',
  };
}

/** A post-deploy report of the given checks, as runChecklist builds it. */
function report(project: string, ...results: CheckResult[]) {
  return buildReport({
    project,
    stages: ['post-deploy'],
    startedAt: new Date('2026-12-06T07:00:00Z'),
    run: { results, durationMs: 40, deadlineExceeded: false, interrupted: false },
    strict: false,
  });
}

describe('a checklist run recorded on the release it checked', () => {
  const dir = tempStateDir('aisuite-checklist-record-');
  /** The record, read and verified (its checksum checked). */
  const recordOf = async (project: string, tag: string) => {
    const read = await readRelease(project, tag, dir.env());
    if (!read?.ok) throw new Error(`release ${tag} of ${project} is missing or damaged`);
    return read.record;
  };
  /** The suite a checklist with these flags resolves (as `aisuite checklist` does). */
  const checked = (project: string, phase = '1') =>
    resolveSuite({ project, phase, cpu: true }, { missingModels: 'warn', env: dir.env(), cwd: dir.state() });

  it('goes on the current release when the suite checked is its suite; its status and checksum stay sound', async () => {
    await recordTestRelease(dir.state(), { project: 'p', tag: 'A', at: '2026-12-01T10:00:00Z' });
    const run = report('p', check('health-api-gateway', 'passed'), check('gateway-chat-roundtrip', 'failed'));
    const recording = await recordChecklistRun(await checked('p'), run, dir.env());
    expect(recording).toEqual({ tag: 'A', recorded: true });
    const record = await recordOf('p', 'A'); // the rewritten record's checksum verifies
    expect(record.status).toBe('good'); // a failed run does not change which release is current
    expect(record.checklist).toEqual({
      status: 'failed',
      checkedAt: '2026-12-06T07:00:00.000Z',
      passed: 1,
      failed: 1,
      skipped: 0,
      failedCritical: ['gateway-chat-roundtrip'],
      failures: [{ id: 'gateway-chat-roundtrip', message: 'ECONNREFUSED' }],
      exitCode: 1,
    });
    const { entries } = await readAudit('p', { env: dir.env() });
    expect(entries.at(-1)).toMatchObject({ action: 'checklist', result: 'failed', tag: 'A' });
    expect(entries.at(-1)?.message).toContain('gateway-chat-roundtrip (ECONNREFUSED)');
  });

  it('is not recorded when the suite checked is another (other flags), or nothing was deployed', async () => {
    await recordTestRelease(dir.state(), { project: 'q', tag: 'B', at: '2026-12-01T10:00:00Z' });
    const other = await recordChecklistRun(await checked('q', '2'), report('q'), dir.env());
    expect(other).toMatchObject({ tag: 'B', recorded: false });
    expect(other.reason).toBe(
      "the suite checked is not release B's (aisuite.yaml or the flags changed since it was deployed)",
    );
    // deployed by another aisuite version: that is named as a possible cause too
    await writeRelease({ ...(await recordOf('q', 'B')), aisuiteVersion: '0.0.9' }, dir.env());
    const older = await recordChecklistRun(await checked('q', '2'), report('q'), dir.env());
    expect(older.reason).toMatch(/, or aisuite: it was deployed by 0\.0\.9, this is \d+\.\d+\.\d+\)$/);
    expect((await recordOf('q', 'B')).checklist).toEqual({ status: 'not-run' });
    expect(await recordChecklistRun(await checked('none'), report('none'), dir.env())).toEqual({
      tag: null,
      recorded: false,
      reason: 'no release of project none is recorded',
    });
  });

  it('is not recorded while another command holds the project lock (an up running)', async () => {
    await recordTestRelease(dir.state(), { project: 'r', tag: 'C', at: '2026-12-01T10:00:00Z' });
    const lock = await acquireLock('r', 'up', { env: dir.env() });
    try {
      const recording = await recordChecklistRun(await checked('r'), report('r'), dir.env());
      expect(recording).toMatchObject({ tag: 'C', recorded: false });
      expect(recording.reason).toMatch(/^project r is locked by .*up/);
    } finally {
      await lock.release();
    }
    expect((await recordOf('r', 'C')).checklist.status).toBe('not-run');
  });

  it("rollback's default target passes over a release whose last checklist failed, and says so when none is left", async () => {
    await recordTestRelease(dir.state(), { project: 's', tag: 'OK', at: '2026-12-01T10:00:00Z' });
    await recordTestRelease(dir.state(), { project: 's', tag: 'BAD', at: '2026-12-02T10:00:00Z' });
    // BAD, current, fails its checklist; then NEW is deployed
    await recordChecklistRun(await checked('s'), report('s', check('health-rag', 'failed')), dir.env());
    await recordTestRelease(dir.state(), { project: 's', tag: 'NEW', at: '2026-12-03T10:00:00Z' });
    const { target, passedOver } = await resolveRollbackTarget('s', undefined, dir.env());
    expect(target.tag).toBe('OK');
    expect(passedOver).toEqual(['BAD']); // said before rolling back
    expect(checklistWarnings(target)).toEqual([]);
    // named on purpose, it is allowed, with a warning naming what failed
    const named = await resolveRollbackTarget('s', 'BAD', dir.env());
    expect(named.passedOver).toEqual([]);
    expect(checklistWarnings(named.target)).toEqual([
      'release BAD failed its last checklist (2026-12-06T07:00:00.000Z): health-rag',
    ]);

    await recordTestRelease(dir.state(), { project: 't', tag: 'BAD', at: '2026-12-02T10:00:00Z' });
    await recordChecklistRun(await checked('t'), report('t', check('health-rag', 'failed')), dir.env());
    await recordTestRelease(dir.state(), { project: 't', tag: 'NEW', at: '2026-12-03T10:00:00Z' });
    const error = await resolveRollbackTarget('t', undefined, dir.env()).catch((e: unknown) => e);
    expect((error as AisuiteError).exitCode).toBe(2);
    expect((error as AisuiteError).hint).toContain('Passed over: BAD (the last checklist run on it failed)');
  });
});
