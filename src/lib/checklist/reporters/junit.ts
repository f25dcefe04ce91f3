import type { ChecklistReport } from '../report.js';
import type { CheckResult } from '../types.js';
import { xmlEscape as x } from './xml.js';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: CheckResult): string {
  const open = `    <testcase classname="aisuite.checklist.${x(r.stage)}" name="${x(r.id)}: ${x(r.title)}" time="${seconds(r.durationMs)}">`;
  const props = `      <properties><property name="severity" value="${x(r.severity)}"/><property name="source" value="${x(r.source)}"/></properties>`;
  let body = '';
  if (r.status === 'failed') {
    body = `      <failure message="${x(r.message)}" type="${x(r.severity)}">${x(`${r.message}\nremedy: ${r.remedy}\nattempts: ${r.attempts}`)}</failure>`;
  } else if (r.status === 'skipped' || r.status === 'blocked') {
    body = `      <skipped message="${x(r.reason ?? r.message)}"/>`;
  }
  const out = r.status === 'passed' ? `      <system-out>${x(r.message)}</system-out>` : '';
  return [open, props, body, out, '    </testcase>'].filter(Boolean).join('\n');
}

/** JUnit XML: one testsuite per stage, one testcase per check; skipped and blocked checks carry their reason. */
export function renderJunit(report: ChecklistReport, name = 'aisuite checklist'): string {
  const suites = report.stages.map((stage) => {
    const cases = report.checks.filter((c) => c.stage === stage);
    const failures = cases.filter((c) => c.status === 'failed').length;
    const skipped = cases.filter((c) => c.status === 'skipped' || c.status === 'blocked').length;
    const time = cases.reduce((t, c) => t + c.durationMs, 0);
    return [
      `  <testsuite name="${x(stage)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}" timestamp="${x(report.startedAt)}">`,
      ...cases.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  const failures = report.checks.filter((c) => c.status === 'failed').length;
  const skipped = report.checks.filter((c) => c.status === 'skipped' || c.status === 'blocked').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${x(name)}" tests="${report.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
