import type { ChecklistReport } from '../report.js';
import type { CheckStatus } from '../types.js';

const STATUSES: readonly CheckStatus[] = ['passed', 'failed', 'skipped', 'blocked'];
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/**
 * Prometheus text exposition (for node-exporter's textfile collector): one status series per check and
 * status, durations, counts and the exit code.
 */
export function renderPrometheus(report: ChecklistReport, now: Date = new Date()): string {
  const lines: string[] = [
    '# HELP aisuite_checklist_check_status 1 for the status the check ended in, 0 for the others.',
    '# TYPE aisuite_checklist_check_status gauge',
  ];
  for (const c of report.checks) {
    for (const s of STATUSES) {
      lines.push(
        `aisuite_checklist_check_status{id="${label(c.id)}",stage="${c.stage}",severity="${c.severity}",status="${s}"} ${c.status === s ? 1 : 0}`,
      );
    }
  }
  lines.push(
    '# HELP aisuite_checklist_check_duration_seconds Wall time of each check, attempts and waits included.',
    '# TYPE aisuite_checklist_check_duration_seconds gauge',
    ...report.checks.map(
      (c) =>
        `aisuite_checklist_check_duration_seconds{id="${label(c.id)}",stage="${c.stage}"} ${c.durationMs / 1000}`,
    ),
    '# HELP aisuite_checklist_checks Checks by status in the last run.',
    '# TYPE aisuite_checklist_checks gauge',
    ...STATUSES.map(
      (s) => `aisuite_checklist_checks{status="${s}"} ${report.checks.filter((c) => c.status === s).length}`,
    ),
    '# HELP aisuite_checklist_exit_code Exit code of the last run (0 all critical checks passed).',
    '# TYPE aisuite_checklist_exit_code gauge',
    `aisuite_checklist_exit_code{project="${label(report.project)}"} ${report.exitCode}`,
    '# HELP aisuite_checklist_duration_seconds Wall time of the last run.',
    '# TYPE aisuite_checklist_duration_seconds gauge',
    `aisuite_checklist_duration_seconds{project="${label(report.project)}"} ${report.durationMs / 1000}`,
    '# HELP aisuite_checklist_last_run_timestamp_seconds When the last run finished.',
    '# TYPE aisuite_checklist_last_run_timestamp_seconds gauge',
    `aisuite_checklist_last_run_timestamp_seconds{project="${label(report.project)}"} ${Math.floor(now.getTime() / 1000)}`,
    '',
  );
  return lines.join('\n');
}
