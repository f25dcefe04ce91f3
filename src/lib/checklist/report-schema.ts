import { REPORT_KIND, REPORT_SCHEMA_VERSION } from './report.js';

const count = { type: 'integer', minimum: 0 } as const;

/** JSON Schema of the checklist's JSON report, version 1 (documented in docs/CHECKLIST.md). */
export const reportSchema = {
  $id: 'https://aisuite.dev/schemas/checklist-report.v1.json',
  type: 'object',
  additionalProperties: false,
  required: [
    'kind',
    'schemaVersion',
    'tool',
    'project',
    'stages',
    'startedAt',
    'durationMs',
    'deadlineExceeded',
    'strict',
    'outcome',
    'exitCode',
    'summary',
    'checks',
  ],
  properties: {
    kind: { const: REPORT_KIND },
    schemaVersion: { const: REPORT_SCHEMA_VERSION },
    tool: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version'],
      properties: { name: { const: 'aisuite' }, version: { type: 'string' } },
    },
    project: { type: 'string' },
    stages: { type: 'array', items: { enum: ['pre-flight', 'post-deploy'] }, minItems: 1 },
    startedAt: { type: 'string', format: 'date-time' },
    durationMs: count,
    deadlineSeconds: { type: 'number', exclusiveMinimum: 0 },
    deadlineExceeded: { type: 'boolean' },
    strict: { type: 'boolean' },
    outcome: { enum: ['passed', 'failed', 'deadline', 'warnings', 'interrupted'] },
    exitCode: { enum: [0, 1, 3, 4, 130] },
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['total', 'passed', 'failed', 'skipped', 'blocked', 'criticalNotPassed', 'warningsNotPassed'],
      properties: {
        total: count,
        passed: count,
        failed: count,
        skipped: count,
        blocked: count,
        criticalNotPassed: count,
        warningsNotPassed: count,
      },
    },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'stage', 'severity', 'status', 'message', 'attempts', 'durationMs', 'remedy', 'source'],
        properties: {
          id: { type: 'string', minLength: 1 },
          title: { type: 'string' },
          stage: { enum: ['pre-flight', 'post-deploy'] },
          severity: { enum: ['critical', 'warning', 'info'] },
          status: { enum: ['passed', 'failed', 'skipped', 'blocked'] },
          message: { type: 'string' },
          reason: { type: 'string', pattern: '^(probe|deadline|interrupted|skipped: .+|blocked by .+)$' },
          attempts: count,
          durationMs: count,
          remedy: { type: 'string' },
          source: { type: 'string' },
          observed: {},
        },
        // a check that did not pass always says why
        if: { properties: { status: { not: { const: 'passed' } } } },
        then: { required: ['reason'], properties: { reason: { type: 'string' } } },
      },
    },
  },
} as const;
