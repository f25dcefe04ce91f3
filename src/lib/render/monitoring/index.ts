import type { SuiteSpec } from '../../suite/types.js';
import type { RenderedFile } from '../types.js';

/** Every monitoring config for the selected services (Prometheus, rules, Alertmanager, Grafana, Loki, Alloy). */
export function renderMonitoring(_suite: SuiteSpec): RenderedFile[] {
  return [];
}
