import type { SuiteSpec } from '../../suite/types.js';
import type { DashboardDef } from './dashboard-model.js';
import { REAL_FILESYSTEMS, quantile, ratio, sumRate } from './promql.js';
import { INFERENCE_SERVICES, PROBE_ROUTES, anySelected, isSelected, kitServices } from './selection.js';

const NOT_PROBE = `route!~"${PROBE_ROUTES}"`;
const SUITE_CONTAINER = 'container_label_io_aisuite_service!=""';
const SVC = 'container_label_io_aisuite_service';

export const UP_MAPPINGS = {
  '0': { text: 'DOWN', color: 'red' },
  '1': { text: 'UP', color: 'green' },
} as const;
export const BACKEND_STATE_MAPPINGS = {
  '0': { text: 'healthy', color: 'green' },
  '1': { text: 'degraded', color: 'orange' },
  '2': { text: 'down', color: 'red' },
} as const;

/** The AI Suite Overview: one screen with the health and RED numbers of every selected service. */
export function overviewDashboard(suite: SuiteSpec): DashboardDef {
  const has = (name: string) => isSelected(suite, name);
  return {
    uid: 'aisuite-overview',
    title: 'AI Suite Overview',
    description: 'Health, traffic, errors and latency of every service of the suite, and the host under it.',
    tags: ['aisuite', 'overview'],
    rows: [
      {
        id: 1,
        title: 'Targets',
        panels: [
          {
            id: 2,
            title: 'Targets up',
            kind: 'stat',
            description: 'Whether Prometheus can scrape each service (job = service name).',
            queries: [{ expr: 'min by (job) (up)', legend: '{{job}}' }],
            mappings: UP_MAPPINGS,
            width: 24,
          },
        ],
      },
      {
        id: 10,
        title: 'Requests (service kit RED metrics)',
        when: kitServices(suite).length > 0,
        panels: [
          {
            id: 11,
            title: 'Request rate per service',
            kind: 'timeseries',
            description: 'HTTP requests per second, probes and scrapes excluded.',
            unit: 'reqps',
            queries: [{ expr: sumRate('http_requests_total', 'job', NOT_PROBE), legend: '{{job}}' }],
          },
          {
            id: 12,
            title: 'Error ratio per service',
            kind: 'timeseries',
            description: 'Share of requests answered with a 5xx status.',
            unit: 'percentunit',
            queries: [
              {
                expr: ratio('http_requests_total', 'job', 'status_code=~"5.."', NOT_PROBE),
                legend: '{{job}}',
              },
            ],
          },
          {
            id: 13,
            title: 'p95 latency per service',
            kind: 'timeseries',
            description: '95th percentile of request durations (streams included).',
            unit: 's',
            queries: [
              { expr: quantile(0.95, 'http_request_duration_seconds', 'job', NOT_PROBE), legend: '{{job}}' },
            ],
          },
        ],
      },
      {
        id: 20,
        title: 'Gateway',
        when: has('api-gateway'),
        panels: [
          {
            id: 21,
            title: 'Backend states',
            kind: 'stat',
            description:
              'How the gateway sees each inference backend: healthy, degraded (recent failures) or down (failed health check, loading or cooling down).',
            queries: [{ expr: 'max by (backend) (gateway_backend_state)', legend: '{{backend}}' }],
            mappings: BACKEND_STATE_MAPPINGS,
          },
          {
            id: 22,
            title: 'Fallbacks',
            kind: 'timeseries',
            description:
              'Requests per second that failed over from one model group to the other (0 while none did).',
            unit: 'reqps',
            queries: [
              {
                // 0 while nothing failed over, so the panel shows a flat line instead of "No data"
                expr: `${sumRate('gateway_fallbacks_total', 'from, to')} or vector(0)`,
                legend: 'fallbacks {{from}} → {{to}}',
              },
            ],
          },
          {
            id: 23,
            title: 'Gateway requests by model group',
            kind: 'timeseries',
            description: 'Requests per second by model group and status.',
            unit: 'reqps',
            queries: [
              {
                expr: sumRate('gateway_requests_total', 'model_group, status'),
                legend: '{{model_group}} {{status}}',
              },
            ],
          },
        ],
      },
      {
        id: 30,
        title: 'Inference',
        when: anySelected(suite, INFERENCE_SERVICES),
        panels: [
          {
            id: 31,
            title: 'Tokens generated per second',
            kind: 'timeseries',
            description: 'Generation throughput of each model server.',
            unit: 'short',
            queries: [{ expr: sumRate('llamacpp:tokens_predicted_total', 'job'), legend: '{{job}}' }],
          },
          {
            id: 32,
            title: 'Prompt tokens per second',
            kind: 'timeseries',
            description: 'Prompt processing throughput of each model server.',
            unit: 'short',
            queries: [{ expr: sumRate('llamacpp:prompt_tokens_total', 'job'), legend: '{{job}}' }],
          },
          {
            id: 33,
            title: 'Time to first token (p95)',
            kind: 'timeseries',
            description: 'From the request reaching the gateway to the first streamed token, by model group.',
            unit: 's',
            queries: [
              {
                expr: quantile(0.95, 'gateway_time_to_first_token_seconds', 'model_group'),
                legend: '{{model_group}}',
              },
            ],
            when: has('api-gateway'),
          },
        ],
      },
      {
        id: 40,
        title: 'Embedding and RAG',
        when: has('embedding') || has('rag'),
        panels: [
          {
            id: 41,
            title: 'Embedding latency (p95)',
            kind: 'timeseries',
            description: 'Time waiting in the queue and in the model, per request.',
            unit: 's',
            queries: [
              { expr: quantile(0.95, 'embedding_queue_duration_seconds', ''), legend: 'queue' },
              { expr: quantile(0.95, 'embedding_inference_duration_seconds', ''), legend: 'inference' },
            ],
            when: has('embedding'),
          },
          {
            id: 42,
            title: 'RAG latency (p95)',
            kind: 'timeseries',
            description: 'Index and query durations, end to end.',
            unit: 's',
            queries: [
              { expr: quantile(0.95, 'rag_query_duration_seconds', ''), legend: 'query' },
              { expr: quantile(0.95, 'rag_index_duration_seconds', ''), legend: 'index' },
            ],
            when: has('rag'),
          },
          {
            id: 43,
            title: 'RAG dependency errors',
            kind: 'timeseries',
            description:
              'Errors per second calling Postgres, the embedding service or the gateway (0 while none failed).',
            unit: 'short',
            queries: [
              {
                expr: `${sumRate('rag_dependency_errors_total', 'dependency')} or vector(0)`,
                legend: '{{dependency}}',
              },
            ],
            when: has('rag'),
          },
        ],
      },
      {
        id: 50,
        title: 'MCP',
        when: has('mcp-server'),
        panels: [
          {
            id: 51,
            title: 'Permission denials',
            kind: 'timeseries',
            description: 'Tool calls per second that RBAC denied.',
            unit: 'short',
            queries: [
              {
                expr: `${sumRate('rbac_permission_checks_total', '', 'result="denied"')} or vector(0)`,
                legend: 'denied',
              },
            ],
          },
          {
            id: 52,
            title: 'Approvals pending',
            kind: 'stat',
            description: 'Destructive tool calls waiting for an approval.',
            queries: [{ expr: 'sum(mcp_approvals_pending)', legend: 'pending' }],
          },
        ],
      },
      {
        id: 60,
        title: 'Containers',
        when: has('cadvisor'),
        panels: [
          {
            id: 61,
            title: 'CPU per service',
            kind: 'timeseries',
            description: 'CPU cores used by each service container (cAdvisor).',
            unit: 'short',
            queries: [
              {
                expr: sumRate('container_cpu_usage_seconds_total', SVC, SUITE_CONTAINER),
                legend: `{{${SVC}}}`,
              },
            ],
          },
          {
            id: 62,
            title: 'Memory per service',
            kind: 'timeseries',
            description: 'Working set of each service container (what the OOM killer looks at).',
            unit: 'bytes',
            queries: [
              {
                expr: `sum by (${SVC}) (container_memory_working_set_bytes{${SUITE_CONTAINER}})`,
                legend: `{{${SVC}}}`,
              },
            ],
          },
          {
            id: 63,
            title: 'Restarts (last hour)',
            kind: 'stat',
            description: 'How often each service container started in the last hour.',
            queries: [
              {
                expr: `sum by (${SVC}) (changes(container_start_time_seconds{${SUITE_CONTAINER}}[1h]))`,
                legend: `{{${SVC}}}`,
              },
            ],
          },
        ],
      },
      {
        id: 70,
        title: 'Host',
        when: has('node-exporter'),
        panels: [
          {
            id: 71,
            title: 'Disk free',
            kind: 'stat',
            description: 'Free share of each real file system on the host.',
            unit: 'percentunit',
            queries: [
              {
                expr: `min by (mountpoint) (node_filesystem_avail_bytes{${REAL_FILESYSTEMS}} / node_filesystem_size_bytes{${REAL_FILESYSTEMS}})`,
                legend: '{{mountpoint}}',
              },
            ],
          },
          {
            id: 72,
            title: 'Host CPU busy',
            kind: 'timeseries',
            description: 'Share of CPU time not idle, all cores.',
            unit: 'percentunit',
            queries: [
              {
                expr: `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))`,
                legend: 'busy',
              },
            ],
          },
          {
            id: 73,
            title: 'Host memory available',
            kind: 'timeseries',
            description: 'Share of memory available to new processes.',
            unit: 'percentunit',
            queries: [
              { expr: 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', legend: 'available' },
            ],
          },
        ],
      },
    ],
  };
}
