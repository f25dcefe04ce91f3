/**
 * Every PromQL expression of the rendered rules and dashboards: valid for the PromQL grammar
 * (@prometheus-io/lezer-promql), using only metrics in the catalog, only from services that are selected.
 */
import { describe, expect, it } from 'vitest';
import { lookupMetric, type MetricSource } from '../../../../src/lib/render/monitoring/metric-catalog.js';
import {
  anySelected,
  isSelected,
  kitServices,
  scrapedServices,
} from '../../../../src/lib/render/monitoring/selection.js';
import type { SuiteSpec } from '../../../../src/lib/suite/types.js';
import { parsePromql, promqlExpressions } from './expressions.js';
import { SUITES } from './suites.js';

function sourceSelected(suite: SuiteSpec, source: MetricSource): boolean {
  switch (source) {
    case 'kit':
      return kitServices(suite).length > 0;
    case 'inference':
      return anySelected(suite, ['inference-chat', 'inference-code']);
    default:
      return isSelected(suite, source);
  }
}

describe('the expression parser used here', () => {
  it('reports syntax errors and finds metric names (so the checks below can fail)', () => {
    expect(parsePromql('sum(rate(foo[5m]').errors.length).toBeGreaterThan(0);
    expect(
      parsePromql('rate(llamacpp:prompt_tokens_total{job="x"}[$__rate_interval]) / on() up').metrics,
    ).toEqual(['llamacpp:prompt_tokens_total', 'up']);
    expect(parsePromql('{__name__="pg_up",job="postgres-exporter"}')).toMatchObject({
      metrics: ['pg_up'],
      jobs: ['postgres-exporter'],
    });
  });
});

describe.each(Object.keys(SUITES))('suite %s', (name) => {
  const suite = SUITES[name]!();
  const expressions = promqlExpressions(suite);

  it('has rule and dashboard expressions', () => {
    expect(expressions.some((e) => e.kind === 'rule')).toBe(true);
    if (isSelected(suite, 'grafana')) expect(expressions.some((e) => e.kind === 'dashboard')).toBe(true);
  });

  it('parses every expression without errors', () => {
    const bad = expressions.flatMap((e) => parsePromql(e.expr).errors.map((err) => `${e.where}: ${err}`));
    expect(bad).toEqual([]);
  });

  it('uses only catalogued metrics exported by selected services', () => {
    const problems: string[] = [];
    for (const e of expressions) {
      const { metrics } = parsePromql(e.expr);
      expect(metrics.length, e.where).toBeGreaterThan(0);
      for (const metric of metrics) {
        const info = lookupMetric(metric);
        if (!info) problems.push(`${e.where}: ${metric} is not in the metric catalog`);
        else if (!sourceSelected(suite, info.source)) {
          problems.push(`${e.where}: ${metric} comes from ${info.source}, which is not selected`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('filters only on jobs Prometheus scrapes', () => {
    const jobs = new Set(scrapedServices(suite).map((svc) => svc.name));
    const unknown = expressions.flatMap((e) =>
      parsePromql(e.expr)
        .jobs.filter((job) => !jobs.has(job))
        .map((job) => `${e.where}: job ${job}`),
    );
    expect(unknown).toEqual([]);
  });
});
