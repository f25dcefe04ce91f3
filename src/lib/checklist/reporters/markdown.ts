import type { ChecklistReport } from '../report.js';
import type { CheckStatus } from '../types.js';

const ICON: Record<CheckStatus, string> = { passed: '✅', failed: '❌', skipped: '⏭️', blocked: '⛔' };
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown report to attach to a release: summary, one table row per check, remedies of failures. */
export function renderMarkdown(report: ChecklistReport): string {
  const s = report.summary;
  const lines = [
    `# Checklist report: ${report.project}`,
    '',
    `- Outcome: **${report.outcome}** (exit code ${report.exitCode})`,
    `- Stages: ${report.stages.join(', ')}`,
    `- Started: ${report.startedAt}, took ${(report.durationMs / 1000).toFixed(1)} s`,
    `- Checks: ${s.total} (${s.passed} passed, ${s.failed} failed, ${s.blocked} blocked, ${s.skipped} skipped)`,
    '',
    '| | Check | Severity | Status | Detail |',
    '|---|---|---|---|---|',
    ...report.checks.map(
      (c) =>
        `| ${ICON[c.status]} | \`${c.id}\` ${cell(c.title)} | ${c.severity} | ${c.status} | ${cell(c.message)} |`,
    ),
  ];
  const failed = report.checks.filter((c) => c.status === 'failed');
  if (failed.length > 0) {
    lines.push('', '## What to do', '', ...failed.map((c) => `- \`${c.id}\`: ${c.remedy}`));
  }
  lines.push('');
  return lines.join('\n');
}
