import { execa } from 'execa';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ChecklistReport } from '../../../src/lib/checklist/report.js';
import { reportSchema } from '../../../src/lib/checklist/report-schema.js';
import { renderReport } from '../../../src/lib/checklist/reporters/index.js';
import { runChecks } from '../../../src/lib/checklist/runner.js';
import { DEFAULT_TIMING, type Check } from '../../../src/lib/checklist/types.js';
import type { Probe } from '../../../src/lib/probes/types.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: Ajv,
) => Ajv;

const check = (id: string, over: Partial<Check> = {}): Check => ({
  id,
  title: `Title of ${id} <&>`,
  stage: 'post-deploy',
  severity: 'critical',
  remedy: `fix ${id}`,
  needs: [],
  timing: DEFAULT_TIMING,
  probe: { kind: 'command', command: ['true'] },
  source: 'builtin',
  ...over,
});

let report: ChecklistReport;
beforeAll(async () => {
  const outcomes: Record<string, boolean> = {
    'docker-engine': true,
    'prometheus-ready': false,
    'warn-check': false,
  };
  const run = await runChecks(
    [
      check('docker-engine', { stage: 'pre-flight' }),
      check('gpu-visible', { stage: 'pre-flight', skip: 'profile=cpu' }),
      check('prometheus-ready'),
      check('prometheus-targets-up', { needs: ['prometheus-ready'] }),
      check('warn-check', { severity: 'warning', source: 'extra.yaml:3' }),
    ],
    {
      createProbe: (c): Probe => ({
        kind: 'command',
        run: async () => ({
          ok: outcomes[c.id] ?? true,
          message: outcomes[c.id] ? 'fine' : 'HTTP 503 "quoted" & <angled>',
        }),
      }),
    },
  );
  report = buildReport({
    project: 'demo',
    stages: ['pre-flight', 'post-deploy'],
    startedAt: new Date(),
    run,
    strict: false,
  });
});

describe('JSON report', () => {
  it('validates against the documented, versioned schema', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(reportSchema);
    const parsed: unknown = JSON.parse(renderReport(report, 'json'));
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    // with where `aisuite checklist` recorded it, recorded or not
    for (const release of [
      { tag: '0.1.0-3f9a2c1d', recorded: true },
      { tag: null, recorded: false, reason: 'no release of project demo is recorded' },
    ]) {
      const withRelease: unknown = JSON.parse(renderReport({ ...report, release }, 'json'));
      expect(validate(withRelease), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(parsed).toMatchObject({
      kind: 'aisuite.checklist.report',
      schemaVersion: 1,
      outcome: 'failed',
      exitCode: 1,
    });
    expect(report.summary).toEqual({
      total: 5,
      passed: 1,
      failed: 2,
      skipped: 1,
      blocked: 1,
      criticalNotPassed: 2,
      warningsNotPassed: 1,
    });
  });

  it('the schema rejects a non-passed check without a reason', () => {
    const validate = new Ajv({ strict: true }).addFormat('date-time', true).compile(reportSchema);
    const broken = { ...report, checks: [{ ...report.checks[2], reason: undefined }] };
    expect(validate(JSON.parse(JSON.stringify(broken)))).toBe(false);
  });
});

describe('JUnit report', () => {
  it('parses back: one testcase per check, failures with message, skipped and blocked with the reason', () => {
    const xml = renderReport(report, 'junit');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: {
        tests: string;
        failures: string;
        skipped: string;
        testsuite: { name: string; testcase: Record<string, unknown>[] | Record<string, unknown> }[];
      };
    };
    const root = parsed.testsuites;
    expect([root.tests, root.failures, root.skipped]).toEqual(['5', '2', '2']);
    const cases = root.testsuite.flatMap((s) => (Array.isArray(s.testcase) ? s.testcase : [s.testcase]));
    expect(cases.map((c) => c.name)).toEqual(report.checks.map((c) => `${c.id}: ${c.title}`));
    const byId = (id: string) => cases.find((c) => String(c.name).startsWith(`${id}:`))!;
    expect(byId('gpu-visible').skipped).toEqual({ message: 'skipped: profile=cpu' });
    expect(byId('prometheus-targets-up').skipped).toEqual({ message: 'blocked by prometheus-ready' });
    expect(byId('prometheus-ready').failure).toMatchObject({
      message: 'HTTP 503 "quoted" & <angled>',
      type: 'critical',
    });
    expect(byId('warn-check').failure).toMatchObject({ type: 'warning' });
    expect(byId('docker-engine').failure).toBeUndefined();
    expect(root.testsuite.map((s) => s.name)).toEqual(['checklist.pre-flight', 'checklist.post-deploy']);
  });
});

describe('Prometheus text report', () => {
  it('passes promtool check metrics and carries one status series per check', async () => {
    const text = renderReport(report, 'prometheus');
    const result = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
    expect(result.exitCode, `${result.stdout}${result.stderr}`).toBe(0);
    expect(text).toContain(
      'aisuite_checklist_check_status{id="prometheus-ready",stage="post-deploy",severity="critical",status="failed"} 1',
    );
    expect(text).toContain('aisuite_checklist_exit_code{project="demo"} 1');
  });
});

describe('Markdown and TTY reports', () => {
  it('list every check with its status and the remedies of failures', () => {
    const md = renderReport(report, 'markdown');
    expect(md).toContain('- Outcome: **failed** (exit code 1)');
    expect(md).toContain(
      '| ⛔ | `prometheus-targets-up` Title of prometheus-targets-up <&> | critical | blocked | blocked by prometheus-ready |',
    );
    expect(md).toContain('- `prometheus-ready`: fix prometheus-ready');
    const tty = renderReport(report, 'tty', { color: false });
    expect(tty).toContain('⊘ prometheus-targets-up  blocked by prometheus-ready');
    expect(tty).toContain('○ gpu-visible  skipped: profile=cpu');
    expect(tty).toMatch(/2 critical checks did not pass: 1 passed, 2 failed, 1 blocked, 1 skipped/);
    expect(tty).not.toContain('\u001b[');
  });
});
