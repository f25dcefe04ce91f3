import type { SuiteSpec } from '../../suite/types.js';
import type { RenderedFile } from '../types.js';
import { toYaml } from '../yaml.js';
import { RULE_GROUPS, type AlertRuleDef, type RuleGroupDef } from './alert-rules.js';
import { runbookUrl } from './runbooks.js';
import { allSelected } from './selection.js';

/** Prometheus rule files live next to prometheus.yml, which refers to them relatively. */
export const RULES_DIR = 'prometheus/rules';

/** The rule groups (with only their applicable rules) rendered for this suite. */
export function selectedRuleGroups(suite: SuiteSpec): RuleGroupDef[] {
  return RULE_GROUPS.filter((group) => group.when(suite))
    .map((group) => ({
      ...group,
      rules: group.rules.filter((rule) => allSelected(suite, rule.requires ?? [])),
    }))
    .filter((group) => group.rules.length > 0);
}

function ruleModel(rule: AlertRuleDef, runbook: string | undefined) {
  return {
    alert: rule.alert,
    expr: rule.expr,
    ...(rule.for === '0s' ? {} : { for: rule.for }),
    labels: { severity: rule.severity, service: rule.service },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      runbook_url: runbookUrl(rule.alert, runbook),
    },
  };
}

/** One alert rule file per area (targets, gateway, inference, ...) for the selected services. */
export function renderRules(suite: SuiteSpec): RenderedFile[] {
  return selectedRuleGroups(suite).map((group) => ({
    path: `${RULES_DIR}/${group.file}.yml`,
    content: toYaml({
      groups: [
        {
          name: `aisuite-${group.file}`,
          rules: group.rules.map((rule) => ruleModel(rule, suite.runbookUrl)),
        },
      ],
    }),
  }));
}
