import fs from 'node:fs/promises';
import path from 'node:path';
import type { ChecklistReport } from '../checklist/report.js';
import { renderJunitSuites } from '../checklist/reporters/junit.js';
import type { ExitCodeValue } from '../exit-codes.js';
import { writingTo } from '../output-path.js';
import { redact } from '../secrets/redact.js';
import type { SmokeResult } from './smoke.js';

export const VERIFY_REPORT_KIND = 'aisuite.verify.report';
export const VERIFY_SCHEMA_VERSION = 1;

export interface VerifyReport {
  readonly kind: typeof VERIFY_REPORT_KIND;
  readonly schemaVersion: typeof VERIFY_SCHEMA_VERSION;
  readonly project: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: 'passed' | 'failed' | 'deadline' | 'interrupted';
  readonly exitCode: ExitCodeValue;
  /**
   * Why the run failed before the smoke tests (e.g. a service did not become ready), if it did, and
   * what to do about it when the failed step said (e.g. a CA bundle for the services image's build).
   */
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
  readonly phases: {
    readonly up: number;
    readonly smoke: number;
    readonly checklist: number;
    readonly teardown: number;
  };
  readonly smoke: readonly SmokeResult[];
  /** The post-deploy checklist report (schema in docs/CHECKLIST.md), when it ran. */
  readonly checklist?: ChecklistReport;
  /** Services whose logs were kept in the report directory. */
  readonly logs: readonly { readonly service: string; readonly file: string }[];
  readonly kept: boolean;
  /** With --keep: the config of the kept suite (project, host ports, selection), for --config. */
  readonly keptConfig?: string;
  readonly teardown?: { readonly containers: number; readonly networks: number; readonly volumes: number };
}

/** verify.junit.xml: the smoke tests and the post-deploy checklist as two testsuites. */
export function verifyJunit(report: VerifyReport): string {
  const suites = [
    { name: 'verify.smoke', cases: report.smoke },
    ...(report.checklist ? [{ name: 'checklist.post-deploy', cases: report.checklist.checks }] : []),
  ];
  if (report.error) {
    suites.unshift({
      name: 'verify.up',
      cases: [
        {
          id: 'up',
          title: 'Bring up the CPU profile',
          severity: 'critical',
          status: 'failed',
          message: report.error.message,
          reason: 'probe',
          remedy: report.error.hint ?? 'See the logs of the failed services in the report directory.',
          source: 'verify',
          attempts: 1,
          durationMs: report.phases.up,
        },
      ],
    });
  }
  return renderJunitSuites(`aisuite verify ${report.project}`, suites, {
    timestamp: report.startedAt,
    durationMs: report.durationMs,
  });
}

/** Writes verify.json and verify.junit.xml (redacted) into the report directory. */
export async function writeVerifyReports(dir: string, report: VerifyReport): Promise<string[]> {
  const json = path.join(dir, 'verify.json');
  const junit = path.join(dir, 'verify.junit.xml');
  await writingTo('--report-dir', dir, async () => {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(json, redact(`${JSON.stringify(report, null, 2)}\n`));
    await fs.writeFile(junit, redact(verifyJunit(report)));
  });
  return [json, junit];
}
