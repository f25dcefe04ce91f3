import type { SuiteSpec } from '../../suite/types.js';
import type { RenderedFile } from '../types.js';
import { renderAlertmanager } from './alertmanager.js';
import { renderAlloy } from './alloy.js';
import { renderDashboards } from './dashboards.js';
import { renderGrafanaProvisioning } from './grafana.js';
import { renderLoki } from './loki.js';
import { renderPrometheus } from './prometheus.js';
import { renderRules } from './rules.js';
import { isSelected } from './selection.js';

/**
 * Every monitoring config for the selected services (Prometheus, rules, Alertmanager, Grafana, Loki, Alloy);
 * a component left out with --without gets no config, and nothing refers to it.
 */
export function renderMonitoring(suite: SuiteSpec): RenderedFile[] {
  const files: RenderedFile[] = [];
  if (isSelected(suite, 'prometheus')) {
    const rules = renderRules(suite);
    files.push(renderPrometheus(suite, rules.length > 0), ...rules);
  }
  if (isSelected(suite, 'alertmanager')) files.push(renderAlertmanager(suite));
  if (isSelected(suite, 'grafana')) {
    files.push(...renderGrafanaProvisioning(suite));
    // Dashboards read Prometheus; without it they would only show errors.
    if (isSelected(suite, 'prometheus')) files.push(...renderDashboards(suite));
  }
  if (isSelected(suite, 'loki')) files.push(renderLoki(suite));
  if (isSelected(suite, 'alloy') && isSelected(suite, 'loki')) files.push(renderAlloy(suite));
  return files;
}
