import { UserError } from '../errors.js';
import { BUILTIN_TEMPLATES, type CheckTemplate } from './definitions.js';
import { expandTemplates } from './expand.js';
import { buildReport, type ChecklistReport } from './report.js';
import { runChecks, type RunOptions } from './runner.js';
import type { ChecklistTarget } from './target.js';
import type { Check, Stage } from './types.js';
import type { UserCheckTemplate } from './user-file.js';

export { BUILTIN_TEMPLATES, PRE_FLIGHT, POST_DEPLOY, type CheckTemplate } from './definitions.js';
export type { ChecklistReport } from './report.js';
export type { Check, CheckResult, Stage, Severity } from './types.js';
export type { ChecklistTarget } from './target.js';

export interface SelectOptions {
  readonly stages: readonly Stage[];
  readonly userTemplates?: readonly UserCheckTemplate[];
  /** Run only these ids (and what they need). A template id selects all its `forEach` checks. */
  readonly only?: readonly string[];
}

/** The checks of the chosen stages for this suite, built-in first then the user's, in definition order. */
export function selectChecks(target: ChecklistTarget, options: SelectOptions): Check[] {
  const templates: CheckTemplate[] = [...BUILTIN_TEMPLATES, ...(options.userTemplates ?? [])].filter((t) =>
    options.stages.includes(t.stage),
  );
  const sources = new Map<CheckTemplate, string>(
    (options.userTemplates ?? []).map((t) => [t as CheckTemplate, t.source] as const),
  );
  let checks = expandTemplates(templates, target, (t) => sources.get(t) ?? 'builtin');
  const ids = new Set(checks.map((c) => c.id));
  for (const user of options.userTemplates ?? []) {
    for (const need of user.needs ?? []) {
      const known =
        ids.has(need) || BUILTIN_TEMPLATES.some((t) => t.id === need || need.startsWith(`${t.id}-`));
      if (!known) {
        throw new UserError(`${user.source}: check ${user.id} needs unknown check ${JSON.stringify(need)}`, {
          code: 'CHECKS_FILE_INVALID',
        });
      }
    }
  }
  // a need outside this selection (another stage, a service left out) does not hold a check back
  checks = checks.map((c) => ({ ...c, needs: c.needs.filter((n) => ids.has(n)) }));
  if (options.only && options.only.length > 0) {
    const byId = new Map(checks.map((c) => [c.id, c]));
    const wanted = new Set<string>();
    const unknown: string[] = [];
    const add = (id: string) => {
      const matches = checks.filter((c) => c.id === id || (!byId.has(id) && c.id.startsWith(`${id}-`)));
      if (matches.length === 0) unknown.push(id);
      for (const c of matches) {
        if (wanted.has(c.id)) continue;
        wanted.add(c.id);
        c.needs.forEach(add);
      }
    };
    options.only.forEach(add);
    if (unknown.length > 0) {
      throw new UserError(`--only: unknown check id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, {
        hint: `Known ids: ${checks.map((c) => c.id).join(', ')}`,
        code: 'USAGE',
      });
    }
    checks = checks.filter((c) => wanted.has(c.id));
  }
  return checks;
}

export interface RunChecklistOptions extends SelectOptions, Omit<RunOptions, 'onResult'> {
  readonly strict?: boolean;
  readonly onResult?: RunOptions['onResult'];
}

/** Selects, runs and reports: the whole checklist in one call (used by `checklist`, `verify` and `up`). */
export async function runChecklist(
  target: ChecklistTarget,
  options: RunChecklistOptions,
): Promise<ChecklistReport> {
  const checks = selectChecks(target, options);
  const startedAt = new Date();
  const run = await runChecks(checks, options);
  return buildReport({
    project: target.project,
    stages: options.stages,
    startedAt,
    run,
    strict: options.strict ?? false,
    deadlineSeconds: options.deadlineSeconds,
  });
}
