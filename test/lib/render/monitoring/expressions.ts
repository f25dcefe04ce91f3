import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { renderMonitoring } from '../../../../src/lib/render/monitoring/index.js';
import type { SuiteSpec } from '../../../../src/lib/suite/types.js';

export interface Expression {
  /** Where it comes from: `<file>: <alert>` or `<file>: panel <id> <title>`. */
  readonly where: string;
  readonly expr: string;
  readonly kind: 'rule' | 'dashboard';
}

interface Panel {
  id: number;
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource: { type: string } }[];
}

/** Every PromQL expression of the rendered rules and dashboards of `suite`. */
export function promqlExpressions(suite: SuiteSpec): Expression[] {
  const out: Expression[] = [];
  for (const file of renderMonitoring(suite)) {
    if (file.path.startsWith('prometheus/rules/')) {
      const doc = parseYaml(file.content) as { groups: { rules: { alert: string; expr: string }[] }[] };
      for (const rule of doc.groups.flatMap((g) => g.rules)) {
        out.push({ where: `${file.path}: ${rule.alert}`, expr: rule.expr, kind: 'rule' });
      }
    }
    if (file.path.startsWith('grafana/dashboards/')) {
      const doc = JSON.parse(file.content) as { panels: Panel[] };
      for (const panel of doc.panels) {
        for (const target of panel.targets ?? []) {
          if (target.datasource.type !== 'prometheus') continue;
          out.push({
            where: `${file.path}: panel ${panel.id} ${panel.title}`,
            expr: target.expr,
            kind: 'dashboard',
          });
        }
      }
    }
  }
  return out;
}

/** Grafana's interval variables replaced by a concrete window, as Grafana does before querying. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m');
}

export interface ParsedPromql {
  readonly errors: string[];
  readonly metrics: string[];
  /** Values of `job="..."` matchers. */
  readonly jobs: string[];
}

/** Parse with the PromQL grammar Prometheus' own UI uses; report syntax errors, metric names and job matchers. */
export function parsePromql(expr: string): ParsedPromql {
  const text = withoutGrafanaVariables(expr);
  const tree = parser.parse(text);
  const errors: string[] = [];
  const metrics: string[] = [];
  const jobs: string[] = [];
  const cursor = tree.cursor();
  do {
    const node = cursor.node;
    if (node.type.isError)
      errors.push(`syntax error at ${node.from}: ${text.slice(Math.max(0, node.from - 10), node.to + 10)}`);
    if (node.name === 'VectorSelector') {
      const id = node.getChild('Identifier');
      if (id) metrics.push(text.slice(id.from, id.to));
    }
    if (node.name === 'UnquotedLabelMatcher') {
      const label = node.getChild('LabelName');
      const value = node.getChild('StringLiteral');
      const op = node.getChild('MatchOp');
      const labelText = label ? text.slice(label.from, label.to) : '';
      const opText = op ? text.slice(op.from, op.to) : '';
      if (value && opText === '=' && labelText === 'job')
        jobs.push(JSON.parse(text.slice(value.from, value.to)) as string);
      if (value && opText === '=' && labelText === '__name__')
        metrics.push(JSON.parse(text.slice(value.from, value.to)) as string);
    }
  } while (cursor.next());
  return { errors, metrics, jobs };
}
