import { describe, expect, it } from 'vitest';
import { describeRelease } from '../../src/commands/status.js';

describe("status's release line", () => {
  const detail = { deployedAt: '2026-12-06T06:34:13Z', deployedBy: 'ops@gpu-1', command: 'rollback' };

  it('names the release, when and how it was deployed, and a checklist that passed', () => {
    expect(
      describeRelease('0.1.0-850c7d97', {
        ...detail,
        checklist: { status: 'passed', checkedAt: '2026-12-06T06:40:52Z', passed: 22 },
      }),
    ).toBe(
      'Release 0.1.0-850c7d97, deployed 2026-12-06T06:34:13Z by ops@gpu-1 (rollback); checklist passed at 2026-12-06T06:40:52Z.',
    );
  });

  it('names the critical checks of a failed run, and says how to record one when none ran', () => {
    expect(
      describeRelease('T', {
        ...detail,
        checklist: { status: 'failed', checkedAt: 'X', failedCritical: ['health-rag', 'rag-query'] },
      }),
    ).toMatch(/; checklist failed at X \(health-rag, rag-query\)\.$/);
    expect(describeRelease('T', { ...detail, checklist: { status: 'not-run' } })).toMatch(
      /; no checklist run recorded \(`aisuite checklist` records one\)\.$/,
    );
  });
});
