import chalk, { Chalk } from 'chalk';
import type { ChecklistReport } from '../report.js';
import type { CheckResult, CheckStatus } from '../types.js';

const SYMBOL: Record<CheckStatus, string> = { passed: '✔', failed: '✖', skipped: '○', blocked: '⊘' };

/** One line for a finished check (also used for live progress). */
export function formatResultLine(r: CheckResult, color: boolean): string {
  const c = color ? chalk : new Chalk({ level: 0 });
  const paint = {
    passed: c.green,
    failed: r.severity === 'critical' ? c.red : r.severity === 'warning' ? c.yellow : c.gray,
    skipped: c.gray,
    blocked: c.yellow,
  }[r.status];
  const time = r.durationMs >= 1000 ? ` ${c.gray(`${(r.durationMs / 1000).toFixed(1)}s`)}` : '';
  const sev = r.severity === 'critical' ? '' : c.gray(` [${r.severity}]`);
  return `${paint(SYMBOL[r.status])} ${r.id}${sev}  ${c.gray(r.message)}${time}`;
}

/** The human report: one line per check in definition order, remedies of failures, a summary line. */
export function renderTty(report: ChecklistReport, color: boolean): string {
  const c = color ? chalk : new Chalk({ level: 0 });
  const lines: string[] = [];
  for (const stage of report.stages) {
    const checks = report.checks.filter((r) => r.stage === stage);
    if (checks.length === 0) continue;
    lines.push(c.bold(stage));
    for (const r of checks) {
      lines.push(`  ${formatResultLine(r, color)}`);
      if (r.status === 'failed') lines.push(`      ${c.cyan('→')} ${r.remedy}`);
    }
  }
  const s = report.summary;
  const verdict = {
    passed: c.green('all critical checks passed'),
    failed: c.red(
      `${s.criticalNotPassed} critical check${s.criticalNotPassed === 1 ? '' : 's'} did not pass`,
    ),
    deadline: c.red(`deadline of ${report.deadlineSeconds ?? '?'}s passed before every check finished`),
    warnings: c.yellow(`${s.warningsNotPassed} warning${s.warningsNotPassed === 1 ? '' : 's'} (--strict)`),
    interrupted: c.yellow('interrupted'),
  }[report.outcome];
  lines.push(
    '',
    `${verdict}: ${s.passed} passed, ${s.failed} failed, ${s.blocked} blocked, ${s.skipped} skipped in ${(report.durationMs / 1000).toFixed(1)}s`,
  );
  return lines.join('\n');
}
