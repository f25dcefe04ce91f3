import { generatedMarker } from '../yaml.js';
import { DATASOURCE_UID } from './grafana.js';

/** One query of a panel: PromQL for metric panels, LogQL for log panels. */
export interface QueryDef {
  readonly expr: string;
  readonly legend?: string;
}

export type PanelKind = 'timeseries' | 'stat' | 'logs';

export interface PanelDef {
  /** Stable id: panel links and saved views keep working when other panels are left out. */
  readonly id: number;
  readonly title: string;
  readonly kind: PanelKind;
  readonly description: string;
  readonly queries: readonly QueryDef[];
  readonly unit?: string;
  /** Value -> text mappings for state panels (e.g. 0 -> healthy). */
  readonly mappings?: Readonly<Record<string, { text: string; color: string }>>;
  /** Width in grid columns (of 24); default 8. */
  readonly width?: number;
  readonly when?: boolean;
}

export interface RowDef {
  readonly id: number;
  readonly title: string;
  readonly panels: readonly PanelDef[];
  readonly when?: boolean;
}

export interface DashboardDef {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly rows: readonly RowDef[];
}

const PANEL_HEIGHT = 8;

function datasource(kind: PanelKind) {
  return kind === 'logs'
    ? { type: 'loki', uid: DATASOURCE_UID.loki }
    : { type: 'prometheus', uid: DATASOURCE_UID.prometheus };
}

function mappings(panel: PanelDef) {
  if (!panel.mappings) return [];
  return [
    {
      type: 'value',
      options: Object.fromEntries(
        Object.entries(panel.mappings).map(([value, m], index) => [value, { ...m, index }]),
      ),
    },
  ];
}

function panelModel(panel: PanelDef, x: number, y: number, width: number): Record<string, unknown> {
  const ds = datasource(panel.kind);
  const targets = panel.queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: ds,
    expr: q.expr,
    ...(q.legend === undefined ? {} : { legendFormat: q.legend }),
    ...(panel.kind === 'logs' ? { queryType: 'range' } : { range: true, instant: false }),
  }));
  const base = {
    id: panel.id,
    type: panel.kind,
    title: panel.title,
    description: panel.description,
    datasource: ds,
    gridPos: { h: PANEL_HEIGHT, w: width, x, y },
    targets,
  };
  if (panel.kind === 'logs') {
    return {
      ...base,
      options: {
        showTime: true,
        wrapLogMessage: true,
        sortOrder: 'Descending',
        enableLogDetails: true,
        dedupStrategy: 'none',
      },
    };
  }
  const defaults = {
    unit: panel.unit ?? 'short',
    mappings: mappings(panel),
    ...(panel.kind === 'timeseries'
      ? { custom: { lineWidth: 1, fillOpacity: 10, showPoints: 'never' } }
      : {}),
  };
  const options =
    panel.kind === 'stat'
      ? {
          reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
          colorMode: 'value',
          graphMode: 'none',
          textMode: 'auto',
          justifyMode: 'auto',
          orientation: 'auto',
        }
      : {
          legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
          tooltip: { mode: 'multi', sort: 'desc' },
        };
  return { ...base, fieldConfig: { defaults, overrides: [] }, options };
}

/** The Grafana dashboard JSON model: rows and panels laid out in order, the generated marker in the description. */
export function dashboardModel(def: DashboardDef): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let y = 0;
  for (const row of def.rows) {
    if (row.when === false) continue;
    const visible = row.panels.filter((p) => p.when !== false);
    if (visible.length === 0) continue;
    panels.push({
      id: row.id,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const panel of visible) {
      const width = panel.width ?? 8;
      if (x + width > 24) {
        x = 0;
        y += PANEL_HEIGHT;
      }
      panels.push(panelModel(panel, x, y, width));
      x += width;
    }
    y += PANEL_HEIGHT;
  }
  return {
    uid: def.uid,
    title: def.title,
    description: `${def.description} ${generatedMarker()}`,
    tags: [...def.tags],
    timezone: 'browser',
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    templating: { list: [] },
    annotations: { list: [] },
    links: [],
    panels,
  };
}

/** Stable JSON text for a dashboard (two-space indent, trailing newline). */
export function dashboardJson(def: DashboardDef): string {
  return `${JSON.stringify(dashboardModel(def), null, 2)}\n`;
}
