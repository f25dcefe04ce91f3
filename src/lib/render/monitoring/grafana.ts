import { scrapeIntervalOf } from '../../suite/build.js';
import type { SuiteSpec } from '../../suite/types.js';
import type { RenderedFile } from '../types.js';
import { toYaml } from '../yaml.js';
import { isSelected } from './selection.js';

/** Datasource uids the dashboards refer to (stable, so dashboards survive re-provisioning). */
export const DATASOURCE_UID = {
  prometheus: 'prometheus',
  loki: 'loki',
  alertmanager: 'alertmanager',
} as const;

/** Where Grafana reads the dashboard JSON files (bound from the rendered grafana/dashboards). */
export const DASHBOARDS_PATH = '/var/lib/grafana/dashboards';

function datasources(suite: SuiteSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (isSelected(suite, 'prometheus')) {
    out.push({
      name: 'Prometheus',
      uid: DATASOURCE_UID.prometheus,
      type: 'prometheus',
      access: 'proxy',
      url: 'http://prometheus:9090',
      isDefault: true,
      editable: false,
      // what $__rate_interval counts in: the scrape interval
      jsonData: { timeInterval: `${scrapeIntervalOf(suite)}s`, httpMethod: 'POST' },
    });
  }
  if (isSelected(suite, 'loki')) {
    out.push({
      name: 'Loki',
      uid: DATASOURCE_UID.loki,
      type: 'loki',
      access: 'proxy',
      url: 'http://loki:3100',
      isDefault: !isSelected(suite, 'prometheus'),
      editable: false,
      jsonData: { maxLines: 1000 },
    });
  }
  if (isSelected(suite, 'alertmanager')) {
    out.push({
      name: 'Alertmanager',
      uid: DATASOURCE_UID.alertmanager,
      type: 'alertmanager',
      access: 'proxy',
      url: 'http://alertmanager:9093',
      isDefault: false,
      editable: false,
      jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
    });
  }
  return out;
}

/** Grafana provisioning: datasources for the selected backends and a file provider for the dashboards. */
export function renderGrafanaProvisioning(suite: SuiteSpec): RenderedFile[] {
  return [
    {
      path: 'grafana/provisioning/datasources/datasources.yaml',
      content: toYaml({ apiVersion: 1, datasources: datasources(suite) }),
    },
    {
      path: 'grafana/provisioning/dashboards/dashboards.yaml',
      content: toYaml({
        apiVersion: 1,
        providers: [
          {
            name: 'aisuite',
            orgId: 1,
            folder: 'AI Suite',
            folderUid: 'aisuite',
            type: 'file',
            disableDeletion: true,
            allowUiUpdates: false,
            updateIntervalSeconds: 30,
            options: { path: DASHBOARDS_PATH, foldersFromFilesStructure: false },
          },
        ],
      }),
    },
  ];
}
