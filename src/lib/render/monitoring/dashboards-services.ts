import type { ServiceSpec, SuiteSpec } from '../../suite/types.js';
import type { DashboardDef, PanelDef, RowDef } from './dashboard-model.js';
import { BACKEND_STATE_MAPPINGS, UP_MAPPINGS } from './dashboards-overview.js';
import { quantile, ratio, sumRate } from './promql.js';
import { PROBE_ROUTES, isSelected } from './selection.js';

const job = (svc: string) => `job="${svc}"`;

/** Row 100: up, RED and process numbers every package service exports through the service kit. */
function kitRow(svc: ServiceSpec): RowDef {
  const sel = `${job(svc.name)},route!~"${PROBE_ROUTES}"`;
  return {
    id: 100,
    title: 'HTTP (service kit)',
    when: svc.image.kind === 'package',
    panels: [
      {
        id: 101,
        title: 'Request rate by route',
        kind: 'timeseries',
        description: 'Requests per second by route and status code, probes excluded.',
        unit: 'reqps',
        queries: [
          {
            expr: sumRate('http_requests_total', 'route, status_code', sel),
            legend: '{{route}} {{status_code}}',
          },
        ],
      },
      {
        id: 102,
        title: 'Error ratio',
        kind: 'timeseries',
        description: 'Share of requests answered with a 5xx status.',
        unit: 'percentunit',
        queries: [{ expr: ratio('http_requests_total', 'job', 'status_code=~"5.."', sel), legend: '5xx' }],
      },
      {
        id: 103,
        title: 'Latency by route (p50, p95)',
        kind: 'timeseries',
        description: 'Request duration percentiles by route.',
        unit: 's',
        queries: [
          { expr: quantile(0.5, 'http_request_duration_seconds', 'route', sel), legend: 'p50 {{route}}' },
          { expr: quantile(0.95, 'http_request_duration_seconds', 'route', sel), legend: 'p95 {{route}}' },
        ],
      },
      {
        id: 104,
        title: 'Resident memory',
        kind: 'timeseries',
        description: 'Resident set size of the Node.js process.',
        unit: 'bytes',
        queries: [{ expr: `process_resident_memory_bytes{${job(svc.name)}}`, legend: 'rss' }],
      },
      {
        id: 105,
        title: 'CPU',
        kind: 'timeseries',
        description: 'CPU seconds per second used by the process.',
        unit: 'short',
        queries: [
          { expr: `rate(process_cpu_seconds_total{${job(svc.name)}}[$__rate_interval])`, legend: 'cpu' },
        ],
      },
      {
        id: 106,
        title: 'Event loop lag (p99)',
        kind: 'timeseries',
        description: 'A busy event loop delays every request of the service.',
        unit: 's',
        queries: [{ expr: `nodejs_eventloop_lag_p99_seconds{${job(svc.name)}}`, legend: 'p99' }],
      },
    ],
  };
}

function upPanel(svc: string): PanelDef {
  return {
    id: 2,
    title: 'Up',
    kind: 'stat',
    description: 'Whether Prometheus can scrape the service.',
    queries: [{ expr: `min(up{${job(svc)}})`, legend: svc }],
    mappings: UP_MAPPINGS,
  };
}

/** Row 900: the service's own log lines from Loki. */
function logsRow(suite: SuiteSpec, svc: string): RowDef {
  return {
    id: 900,
    title: 'Logs',
    when: isSelected(suite, 'loki'),
    panels: [
      {
        id: 901,
        title: 'Warnings and errors',
        kind: 'logs',
        description: 'Log lines of level warn or above (JSON logs parsed by Alloy).',
        queries: [{ expr: `{service="${svc}", level=~"warn|error|fatal"}` }],
        width: 24,
      },
    ],
  };
}

function serviceRows(svc: ServiceSpec): RowDef[] {
  const s = job(svc.name);
  switch (svc.name) {
    case 'api-gateway':
      return [
        {
          id: 10,
          title: 'Model groups and backends',
          panels: [
            {
              id: 11,
              title: 'Requests by model group',
              kind: 'timeseries',
              description: 'Gateway requests per second by model group, backend and status.',
              unit: 'reqps',
              queries: [
                {
                  expr: sumRate('gateway_requests_total', 'model_group, backend, status'),
                  legend: '{{model_group}} → {{backend}} {{status}}',
                },
              ],
            },
            {
              id: 12,
              title: 'Failures by reason',
              kind: 'timeseries',
              description: 'Failed upstream attempts per second by backend and reason.',
              unit: 'short',
              queries: [
                {
                  expr: sumRate('gateway_request_failures_total', 'backend, reason'),
                  legend: '{{backend}} {{reason}}',
                },
              ],
            },
            {
              id: 13,
              title: 'Backend states',
              kind: 'stat',
              description:
                '0 healthy, 1 degraded (recent failures), 2 down (failed health check, loading or cooling down).',
              queries: [{ expr: 'max by (backend) (gateway_backend_state)', legend: '{{backend}}' }],
              mappings: BACKEND_STATE_MAPPINGS,
            },
            {
              id: 14,
              title: 'Fallbacks, retries and cooldowns',
              kind: 'timeseries',
              description:
                'Failovers between model groups, retried attempts and backends put in cooldown, per second.',
              unit: 'short',
              queries: [
                {
                  expr: sumRate('gateway_fallbacks_total', 'from, to'),
                  legend: 'fallback {{from}} → {{to}}',
                },
                { expr: sumRate('gateway_retries_total', 'backend'), legend: 'retry {{backend}}' },
                { expr: sumRate('gateway_cooldowns_total', 'backend'), legend: 'cooldown {{backend}}' },
              ],
            },
          ],
        },
        {
          id: 20,
          title: 'Latency',
          panels: [
            {
              id: 21,
              title: 'Request duration (p95) by model group',
              kind: 'timeseries',
              description: 'Whole request through the gateway, streams included.',
              unit: 's',
              queries: [
                {
                  expr: quantile(0.95, 'gateway_request_duration_seconds', 'model_group'),
                  legend: '{{model_group}}',
                },
              ],
            },
            {
              id: 22,
              title: 'Time to first token (p95)',
              kind: 'timeseries',
              description: 'By model group and backend.',
              unit: 's',
              queries: [
                {
                  expr: quantile(0.95, 'gateway_time_to_first_token_seconds', 'model_group, backend'),
                  legend: '{{model_group}} {{backend}}',
                },
              ],
            },
            {
              id: 23,
              title: 'Upstream duration and gateway overhead (p95)',
              kind: 'timeseries',
              description: 'Time spent in the backend versus in the gateway itself.',
              unit: 's',
              queries: [
                {
                  expr: quantile(0.95, 'gateway_upstream_duration_seconds', 'backend'),
                  legend: 'upstream {{backend}}',
                },
                {
                  expr: quantile(0.95, 'gateway_overhead_seconds', 'model_group'),
                  legend: 'overhead {{model_group}}',
                },
              ],
            },
          ],
        },
      ];
    case 'inference-chat':
    case 'inference-code':
      return [
        {
          id: 10,
          title: 'Model server',
          panels: [
            {
              id: 11,
              title: 'Tokens per second',
              kind: 'timeseries',
              description: 'Prompt and generated tokens processed per second.',
              unit: 'short',
              queries: [
                { expr: `rate(llamacpp:prompt_tokens_total{${s}}[$__rate_interval])`, legend: 'prompt' },
                {
                  expr: `rate(llamacpp:tokens_predicted_total{${s}}[$__rate_interval])`,
                  legend: 'generated',
                },
              ],
            },
            {
              id: 12,
              title: 'Throughput per request',
              kind: 'timeseries',
              description: 'Average tokens per second within a request (llama.cpp gauges).',
              unit: 'short',
              queries: [
                { expr: `llamacpp:prompt_tokens_seconds{${s}}`, legend: 'prompt' },
                { expr: `llamacpp:predicted_tokens_seconds{${s}}`, legend: 'generation' },
              ],
            },
            {
              id: 13,
              title: 'Requests processing and deferred',
              kind: 'timeseries',
              description: 'Requests in slots, and requests waiting for a free slot.',
              unit: 'short',
              queries: [
                { expr: `llamacpp:requests_processing{${s}}`, legend: 'processing' },
                { expr: `llamacpp:requests_deferred{${s}}`, legend: 'deferred' },
              ],
            },
          ],
        },
      ];
    case 'embedding':
      return [
        {
          id: 10,
          title: 'Embedding',
          panels: [
            {
              id: 11,
              title: 'Requests by status',
              kind: 'timeseries',
              description: 'Embedding requests per second by outcome.',
              unit: 'reqps',
              queries: [{ expr: sumRate('embedding_requests_total', 'status'), legend: '{{status}}' }],
            },
            {
              id: 12,
              title: 'Failures by error type',
              kind: 'timeseries',
              description: 'Failed requests per second by TEI error type.',
              unit: 'short',
              queries: [
                { expr: sumRate('embedding_request_failures_total', 'error_type'), legend: '{{error_type}}' },
              ],
            },
            {
              id: 13,
              title: 'Queue size',
              kind: 'timeseries',
              description: 'Requests waiting for the model.',
              unit: 'short',
              queries: [{ expr: 'sum(embedding_queue_size)', legend: 'queued' }],
            },
            {
              id: 14,
              title: 'Stage durations (p95)',
              kind: 'timeseries',
              description: 'Queue wait, tokenisation and model time.',
              unit: 's',
              queries: [
                { expr: quantile(0.95, 'embedding_queue_duration_seconds', ''), legend: 'queue' },
                {
                  expr: quantile(0.95, 'embedding_tokenization_duration_seconds', ''),
                  legend: 'tokenization',
                },
                { expr: quantile(0.95, 'embedding_inference_duration_seconds', ''), legend: 'inference' },
              ],
            },
            {
              id: 15,
              title: 'Batch size (p50, p95)',
              kind: 'timeseries',
              description: 'Texts per model call.',
              unit: 'short',
              queries: [
                { expr: quantile(0.5, 'embedding_batch_size', ''), legend: 'p50' },
                { expr: quantile(0.95, 'embedding_batch_size', ''), legend: 'p95' },
              ],
            },
            {
              id: 16,
              title: 'Truncations',
              kind: 'timeseries',
              description:
                'Texts dropped over the 1024-text limit (texts) and texts cut to 8000 characters (chars), per second.',
              unit: 'short',
              queries: [{ expr: sumRate('embedding_truncations_total', 'kind'), legend: '{{kind}}' }],
            },
          ],
        },
      ];
    case 'rag':
      return [
        {
          id: 10,
          title: 'RAG',
          panels: [
            {
              id: 11,
              title: 'Requests by operation',
              kind: 'timeseries',
              description: 'Index and query requests per second by status.',
              unit: 'reqps',
              queries: [
                {
                  expr: sumRate('rag_requests_total', 'operation, status'),
                  legend: '{{operation}} {{status}}',
                },
              ],
            },
            {
              id: 12,
              title: 'Durations (p50, p95)',
              kind: 'timeseries',
              description: 'Index and query durations.',
              unit: 's',
              queries: [
                { expr: quantile(0.5, 'rag_query_duration_seconds', ''), legend: 'query p50' },
                { expr: quantile(0.95, 'rag_query_duration_seconds', ''), legend: 'query p95' },
                { expr: quantile(0.95, 'rag_index_duration_seconds', ''), legend: 'index p95' },
              ],
            },
            {
              id: 13,
              title: 'Chunks stored',
              kind: 'timeseries',
              description: 'Chunks written to pgvector per second.',
              unit: 'short',
              queries: [{ expr: sumRate('rag_chunks_stored_total', ''), legend: 'chunks' }],
            },
            {
              id: 14,
              title: 'Dependency errors',
              kind: 'timeseries',
              description: 'Errors per second calling Postgres, embedding and the gateway.',
              unit: 'short',
              queries: [
                { expr: sumRate('rag_dependency_errors_total', 'dependency'), legend: '{{dependency}}' },
              ],
            },
          ],
        },
      ];
    case 'mcp-server':
      return [
        {
          id: 10,
          title: 'Tools',
          panels: [
            {
              id: 11,
              title: 'Tool calls',
              kind: 'timeseries',
              description: 'Tool calls per second by tool and status.',
              unit: 'short',
              queries: [
                { expr: sumRate('mcp_tool_calls_total', 'tool, status'), legend: '{{tool}} {{status}}' },
              ],
            },
            {
              id: 12,
              title: 'Tool duration (p95)',
              kind: 'timeseries',
              description: 'By tool.',
              unit: 's',
              queries: [{ expr: quantile(0.95, 'mcp_tool_duration_seconds', 'tool'), legend: '{{tool}}' }],
            },
            {
              id: 13,
              title: 'Rate limited',
              kind: 'timeseries',
              description: 'Calls refused by the rate limit, per second.',
              unit: 'short',
              queries: [{ expr: sumRate('mcp_rate_limited_total', 'tool'), legend: '{{tool}}' }],
            },
          ],
        },
        {
          id: 20,
          title: 'RBAC and approvals',
          panels: [
            {
              id: 21,
              title: 'Permission checks',
              kind: 'timeseries',
              description: 'RBAC decisions per second by result and tool.',
              unit: 'short',
              queries: [
                {
                  expr: sumRate('rbac_permission_checks_total', 'result, tool'),
                  legend: '{{result}} {{tool}}',
                },
              ],
            },
            {
              id: 22,
              title: 'Approvals pending',
              kind: 'stat',
              description: 'Destructive calls waiting for an approver.',
              queries: [{ expr: 'sum(mcp_approvals_pending)', legend: 'pending' }],
            },
            {
              id: 23,
              title: 'Approval outcomes',
              kind: 'timeseries',
              description: 'Approvals decided per second by outcome.',
              unit: 'short',
              queries: [{ expr: sumRate('mcp_approvals_total', 'outcome'), legend: '{{outcome}}' }],
            },
            {
              id: 24,
              title: 'Authentication failures',
              kind: 'timeseries',
              description: 'Requests refused with 401 per second, by reason (missing or invalid token).',
              unit: 'short',
              queries: [{ expr: sumRate('mcp_auth_failures_total', 'reason'), legend: '{{reason}}' }],
            },
          ],
        },
      ];
    default:
      return [];
  }
}

/** Services with a dashboard of their own (Postgres through its exporter). */
export const SERVICE_DASHBOARDS = [
  'api-gateway',
  'inference-chat',
  'inference-code',
  'embedding',
  'rag',
  'mcp-server',
  'postgres',
] as const;

function postgresDashboard(suite: SuiteSpec): DashboardDef {
  return {
    uid: 'aisuite-postgres',
    title: 'AI Suite / postgres',
    description: 'The suite database (documents, chunks, vectors) through postgres-exporter.',
    tags: ['aisuite', 'service'],
    rows: [
      {
        id: 10,
        title: 'Database',
        panels: [
          {
            id: 11,
            title: 'Postgres up',
            kind: 'stat',
            description: 'Whether postgres-exporter can connect.',
            queries: [{ expr: 'min(pg_up)', legend: 'postgres' }],
            mappings: UP_MAPPINGS,
          },
          {
            id: 12,
            title: 'Connections',
            kind: 'timeseries',
            description: 'Connections by state against max_connections.',
            unit: 'short',
            queries: [
              { expr: 'sum by (state) (pg_stat_activity_count)', legend: '{{state}}' },
              { expr: 'max(pg_settings_max_connections)', legend: 'max_connections' },
            ],
          },
          {
            id: 13,
            title: 'Database size',
            kind: 'timeseries',
            description: 'On-disk size of each database.',
            unit: 'bytes',
            queries: [{ expr: 'sum by (datname) (pg_database_size_bytes)', legend: '{{datname}}' }],
          },
        ],
      },
      logsRow(suite, 'postgres'),
    ],
  };
}

/** One dashboard per selected suite service (those Prometheus can see). */
export function serviceDashboards(suite: SuiteSpec): DashboardDef[] {
  const out: DashboardDef[] = [];
  for (const name of SERVICE_DASHBOARDS) {
    const svc = suite.services.find((s) => s.name === name);
    if (!svc) continue;
    if (name === 'postgres') {
      if (isSelected(suite, 'postgres-exporter')) out.push(postgresDashboard(suite));
      continue;
    }
    out.push({
      uid: `aisuite-${name}`,
      title: `AI Suite / ${name}`,
      description: `${svc.description}.`,
      tags: ['aisuite', 'service'],
      rows: [
        { id: 1, title: 'Health', panels: [upPanel(name)] },
        ...serviceRows(svc),
        kitRow(svc),
        logsRow(suite, name),
      ],
    });
  }
  return out;
}
