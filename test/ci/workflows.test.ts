import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// GitHub's own workflow parser validates the files against the workflow and action schemas
// (actionlint cannot be installed here).
const root = path.resolve(import.meta.dirname, '..', '..', '.github');
const workflows = readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.yml'));

describe('GitHub workflow files', () => {
  it.each(workflows)('%s parses and validates against the workflow schema', async (name) => {
    const content = readFileSync(path.join(root, 'workflows', name), 'utf8');
    const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(result.context, result.value!);
    expect(template.errors?.map((e) => e.Message) ?? []).toEqual([]);
    expect(template.jobs.length).toBeGreaterThan(0);
  });

  it('the validator catches a broken workflow (so the check above can fail)', () => {
    const result = parseWorkflow(
      { name: 'bad.yml', content: 'on: push\njobs:\n  x:\n    runs-on: ubuntu\n    stepz: []\n' },
      new NoOperationTraceWriter(),
    );
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it('CI runs lint, typecheck, unit with coverage, the real config tools, verify, the audit and the image build', () => {
    const ci = parse(readFileSync(path.join(root, 'workflows', 'ci.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { run?: string; uses?: string }[] }>;
    };
    const runs = Object.values(ci.jobs)
      .flatMap((job) => job.steps.map((s) => s.run ?? s.uses ?? ''))
      .join('\n');
    for (const expected of [
      'npm run lint',
      'npm run typecheck',
      '--coverage',
      'promtool check rules',
      'amtool check-config',
      'npm audit --omit=dev --audit-level=high',
      './.github/actions/verify',
      '--cpu --dry-run',
    ]) {
      expect(runs).toContain(expected);
    }
  });

  it('the reusable verify action parses against the action schema', () => {
    const content = readFileSync(path.join(root, 'actions', 'verify', 'action.yml'), 'utf8');
    const result = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(content).toContain('verify --cpu');
  });
});
