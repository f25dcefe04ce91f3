import type { ChecklistReport } from '../report.js';
import type { CheckResult } from '../types.js';
import { xmlEscape as x } from './xml.js';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** A result JUnit can show: checks, and verify's smoke tests (which have no stage of their own). */
export type JunitCase = Omit<CheckResult, 'stage'>;

export interface JunitSuite {
  readonly name: string;
  readonly cases: readonly JunitCase[];
}

function testcase(suite: string, r: JunitCase): string {
  const open = `    <testcase classname="aisuite.${x(suite)}" name="${x(r.id)}: ${x(r.title)}" time="${seconds(r.durationMs)}">`;
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

const notRun = (c: JunitCase) => c.status === 'skipped' || c.status === 'blocked';

/** JUnit XML from named suites; one testcase per result, skipped and blocked ones carry their reason. */
export function renderJunitSuites(
  name: string,
  suites: readonly JunitSuite[],
  meta: { timestamp: string; durationMs: number },
): string {
  const all = suites.flatMap((s) => s.cases);
  const body = suites.map((suite) => {
    const failures = suite.cases.filter((c) => c.status === 'failed').length;
    const time = suite.cases.reduce((t, c) => t + c.durationMs, 0);
    return [
      `  <testsuite name="${x(suite.name)}" tests="${suite.cases.length}" failures="${failures}" errors="0" skipped="${suite.cases.filter(notRun).length}" time="${seconds(time)}" timestamp="${x(meta.timestamp)}">`,
      ...suite.cases.map((c) => testcase(suite.name, c)),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${x(name)}" tests="${all.length}" failures="${all.filter((c) => c.status === 'failed').length}" errors="0" skipped="${all.filter(notRun).length}" time="${seconds(meta.durationMs)}">`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}

/** The checklist as JUnit: one testsuite per stage (`checklist.pre-flight`, `checklist.post-deploy`). */
export function renderJunit(report: ChecklistReport, name = 'aisuite checklist'): string {
  return renderJunitSuites(
    name,
    report.stages.map((stage) => ({
      name: `checklist.${stage}`,
      cases: report.checks.filter((c) => c.stage === stage),
    })),
    { timestamp: report.startedAt, durationMs: report.durationMs },
  );
}
