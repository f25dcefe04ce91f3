import type { SuiteSpec } from '../../suite/types.js';
import type { RenderedFile } from '../types.js';
import { dashboardJson, type DashboardDef } from './dashboard-model.js';
import { overviewDashboard } from './dashboards-overview.js';
import { serviceDashboards } from './dashboards-services.js';

/** The dashboards for this suite: the overview first, then one per selected service. */
export function selectedDashboards(suite: SuiteSpec): DashboardDef[] {
  return [overviewDashboard(suite), ...serviceDashboards(suite)];
}

/** grafana/dashboards/<uid>.json for every selected dashboard. */
export function renderDashboards(suite: SuiteSpec): RenderedFile[] {
  return selectedDashboards(suite).map((def) => ({
    path: `grafana/dashboards/${def.uid}.json`,
    content: dashboardJson(def),
  }));
}
