import { publishedUrl } from '../suite/address.js';
import type { SuiteSpec } from '../suite/types.js';
import type { PlanEntry } from './plan.js';
import { formatUptime, type ServiceState } from './status.js';

/** A plain text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatPlan(entries: readonly PlanEntry[]): string {
  if (entries.length === 0) return 'nothing to do';
  return table(
    ['SERVICE', 'ACTION', 'REASON'],
    entries.map((e) => [e.service, e.action, e.reason]),
  );
}

export function formatServices(
  services: readonly (Pick<ServiceState, 'name' | 'state' | 'health' | 'ports'> & {
    action?: string;
    readyMs?: number;
  })[],
): string {
  return table(
    ['SERVICE', 'ACTION', 'STATE', 'HEALTH', 'PORTS', 'READY'],
    services.map((s) => [
      s.name,
      s.action ?? '-',
      s.state,
      s.health ?? '-',
      s.ports.join(',') || '-',
      s.readyMs === undefined ? '-' : `${(s.readyMs / 1000).toFixed(1)}s`,
    ]),
  );
}

export function formatStatus(services: readonly ServiceState[]): string {
  return table(
    ['SERVICE', 'STATE', 'HEALTH', 'PORTS', 'IMAGE', 'UPTIME'],
    services.map((s) => [
      s.name,
      s.state === 'exited' && s.exitCode !== undefined ? `exited (${s.exitCode})` : s.state,
      s.health ?? '-',
      s.ports.join(',') || '-',
      s.image,
      formatUptime(s.uptimeSeconds),
    ]),
  );
}

/** Where a user reaches the suite from this host: one line per entry point the suite publishes. */
export function formatEndpoints(suite: SuiteSpec, secretsGet = 'aisuite secrets get'): string {
  const entries: [service: string, what: string, path: string, how?: string][] = [
    ['api-gateway', 'OpenAI-compatible API', '/v1', `key: ${secretsGet} gateway-api-key`],
    ['mcp-server', 'MCP (Streamable HTTP)', '/mcp', 'tokens: docs/MCP.md'],
    ['rag', 'RAG', '', 'POST /index, POST /query (docs/services.md)'],
    ['embedding', 'Embeddings (TEI-style)', '', 'POST /embed, POST /v1/embeddings'],
    ['grafana', 'Grafana', '', `user admin, password: ${secretsGet} grafana-admin-password`],
    ['prometheus', 'Prometheus', ''],
    ['alertmanager', 'Alertmanager', ''],
  ];
  const rows = entries.flatMap(([service, what, path, how]) => {
    const svc = suite.services.find((s) => s.name === service);
    const url = svc && publishedUrl(suite, svc);
    return url ? [[what, `${url}${path}`, how ?? '']] : [];
  });
  return rows.length === 0 ? '' : table(['ENDPOINT', 'URL', ''], rows).trimEnd();
}
