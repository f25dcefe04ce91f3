import type { SuiteSpec } from '../../suite/types.js';
import { REAL_FILESYSTEMS } from './promql.js';
import { INFERENCE_SERVICES, anySelected, isSelected } from './selection.js';

export type Severity = 'critical' | 'warning' | 'info';

export interface AlertRuleDef {
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration the condition must hold; '0s' fires on the first evaluation. */
  readonly for: string;
  readonly severity: Severity;
  /** The suite service the alert is about (a literal or a label template); Alertmanager groups and inhibits by it. */
  readonly service: string;
  readonly summary: string;
  readonly description: string;
  /** Services that must all be selected for the rule to be rendered (besides its group's). */
  readonly requires?: readonly string[];
}

export interface RuleGroupDef {
  /** File name under prometheus/rules/ (also the group name without `.yml`). */
  readonly file: string;
  readonly when: (suite: SuiteSpec) => boolean;
  readonly rules: readonly AlertRuleDef[];
}

const API = `job="api-gateway",route=~"/v1/.*"`;

/** Every alert the suite knows, grouped by rule file; rendered only when the services behind them are. */
export const RULE_GROUPS: readonly RuleGroupDef[] = [
  {
    file: 'targets',
    when: (suite) => isSelected(suite, 'prometheus'),
    rules: [
      {
        alert: 'ServiceDown',
        expr: 'up == 0',
        for: '1m',
        severity: 'critical',
        service: '{{ $labels.job }}',
        summary: '{{ $labels.job }} is down',
        description:
          'Prometheus has not been able to scrape {{ $labels.job }} ({{ $labels.instance }}) for more than a minute: the container is stopped, crashing or not answering on its metrics port.',
      },
      {
        alert: 'ScrapeFailures',
        // Flapping, not a slow start (one 0 -> 1 change) or an outage (ServiceDown, which also inhibits this).
        expr: 'avg_over_time(up[10m]) < 0.9 and on (job, instance) changes(up[10m]) > 2',
        for: '5m',
        severity: 'warning',
        service: '{{ $labels.job }}',
        summary: 'Scrapes of {{ $labels.job }} fail intermittently',
        description:
          'Only {{ $value | humanizePercentage }} of the scrapes of {{ $labels.job }} ({{ $labels.instance }}) succeeded over the last 10 minutes: slow or failing /metrics, timeouts, or restarts.',
      },
      {
        alert: 'AlertmanagerNotificationsFailing',
        expr: 'sum by (integration) (increase(alertmanager_notifications_failed_total[10m])) > 0',
        for: '0s',
        severity: 'warning',
        service: 'alertmanager',
        summary: 'Alertmanager fails to deliver {{ $labels.integration }} notifications',
        description:
          '{{ $value }} {{ $labels.integration }} notifications failed in the last 10 minutes: alerts may not reach anyone. Check the receiver settings in aisuite.yaml and the Alertmanager logs.',
        requires: ['alertmanager'],
      },
    ],
  },
  {
    file: 'api-gateway',
    when: (suite) => isSelected(suite, 'api-gateway'),
    rules: [
      {
        alert: 'APIGatewayHighErrorRate',
        expr: `sum(rate(http_requests_total{${API},status_code=~"5.."}[5m])) / sum(rate(http_requests_total{${API}}[5m])) > 0.1`,
        for: '2m',
        severity: 'critical',
        service: 'api-gateway',
        summary: 'More than 10% of API requests fail',
        description:
          '{{ $value | humanizePercentage }} of the requests to the gateway API (/v1/*) answered with a 5xx status over the last 5 minutes.',
      },
      {
        alert: 'APIGatewayHighLatency',
        expr: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${API}}[5m]))) > 2`,
        for: '5m',
        severity: 'warning',
        service: 'api-gateway',
        summary: 'Gateway p95 latency above 2s',
        description:
          'The 95th percentile of gateway API request durations is {{ $value | humanizeDuration }} (threshold 2s) over the last 5 minutes.',
      },
      {
        alert: 'InferenceBackendDown',
        expr: 'max by (backend) (gateway_backend_state) == 2',
        for: '1m',
        severity: 'critical',
        service: 'api-gateway',
        summary: 'Inference backend {{ $labels.backend }} is down',
        description:
          'The gateway has marked backend {{ $labels.backend }} down for more than a minute; its model group is served by the fallback group, if any.',
      },
      {
        alert: 'APIGatewayBackendInCooldown',
        expr: 'sum by (backend) (increase(gateway_cooldowns_total[10m])) > 0',
        for: '0s',
        severity: 'warning',
        service: 'api-gateway',
        summary: 'Backend {{ $labels.backend }} was put in cooldown',
        description:
          'The gateway put backend {{ $labels.backend }} in cooldown after repeated failures ({{ $value }} cooldowns in the last 10 minutes); its requests go to the other backends meanwhile.',
      },
      {
        alert: 'APIGatewayFallbacksRising',
        expr: 'sum by (from, to) (increase(gateway_fallbacks_total[10m])) > 10',
        for: '5m',
        severity: 'warning',
        service: 'api-gateway',
        summary: 'Requests keep falling back from {{ $labels.from }} to {{ $labels.to }}',
        description:
          '{{ $value }} requests failed over from model group {{ $labels.from }} to {{ $labels.to }} in the last 10 minutes.',
      },
    ],
  },
  {
    file: 'inference',
    when: (suite) => anySelected(suite, INFERENCE_SERVICES),
    rules: [
      {
        alert: 'InferenceRequestsDeferred',
        expr: 'max by (job) (llamacpp:requests_deferred) > 0',
        for: '5m',
        severity: 'warning',
        service: '{{ $labels.job }}',
        summary: '{{ $labels.job }} keeps deferring requests',
        description:
          '{{ $labels.job }} has had {{ $value }} requests waiting for a free slot for 5 minutes: the model is saturated.',
      },
    ],
  },
  {
    file: 'embedding',
    when: (suite) => isSelected(suite, 'embedding'),
    rules: [
      {
        alert: 'EmbeddingTruncationsSpiking',
        expr: 'sum by (kind) (increase(embedding_truncations_total[10m])) > 20',
        for: '5m',
        severity: 'warning',
        service: 'embedding',
        summary: 'The embedding service truncates many inputs ({{ $labels.kind }})',
        description:
          '{{ $value }} truncations of kind {{ $labels.kind }} in the last 10 minutes: clients send more than 1024 texts or texts over 8000 characters, and search quality suffers.',
      },
    ],
  },
  {
    file: 'rag',
    when: (suite) => isSelected(suite, 'rag'),
    rules: [
      {
        alert: 'RAGDependencyErrors',
        expr: 'sum by (dependency) (increase(rag_dependency_errors_total[5m])) > 0',
        for: '2m',
        severity: 'warning',
        service: 'rag',
        summary: 'RAG calls to {{ $labels.dependency }} fail',
        description:
          'The rag service saw {{ $value }} errors calling {{ $labels.dependency }} in the last 5 minutes.',
      },
    ],
  },
  {
    file: 'mcp-server',
    when: (suite) => isSelected(suite, 'mcp-server'),
    rules: [
      {
        alert: 'MCPPermissionDenialBurst',
        expr: 'sum by (tool) (increase(rbac_permission_checks_total{result="denied"}[5m])) > 10',
        for: '0s',
        severity: 'warning',
        service: 'mcp-server',
        summary: 'Burst of denied calls to MCP tool {{ $labels.tool }}',
        description:
          '{{ $value }} calls to {{ $labels.tool }} were denied by RBAC in the last 5 minutes: a misconfigured client or someone probing for access.',
      },
    ],
  },
  {
    file: 'containers',
    when: (suite) => isSelected(suite, 'cadvisor'),
    rules: [
      {
        alert: 'ContainerRestarting',
        expr: 'changes(container_start_time_seconds{container_label_io_aisuite_service!=""}[15m]) >= 2',
        for: '0s',
        severity: 'warning',
        service: '{{ $labels.container_label_io_aisuite_service }}',
        summary: 'Container of {{ $labels.container_label_io_aisuite_service }} keeps restarting',
        description: 'The container {{ $labels.name }} restarted {{ $value }} times in the last 15 minutes.',
      },
    ],
  },
  {
    file: 'host',
    when: (suite) => isSelected(suite, 'node-exporter'),
    rules: [
      {
        alert: 'HostDiskAlmostFull',
        expr: `node_filesystem_avail_bytes{${REAL_FILESYSTEMS}} / node_filesystem_size_bytes{${REAL_FILESYSTEMS}} < 0.1`,
        for: '5m',
        severity: 'warning',
        service: 'node-exporter',
        summary: 'Disk {{ $labels.mountpoint }} is almost full',
        description:
          'Only {{ $value | humanizePercentage }} of {{ $labels.mountpoint }} ({{ $labels.device }}) is free; Postgres, Prometheus and Loki stop writing when it is full.',
      },
    ],
  },
  {
    file: 'postgres',
    when: (suite) => isSelected(suite, 'postgres-exporter'),
    rules: [
      {
        alert: 'PostgresDown',
        expr: 'pg_up == 0',
        for: '1m',
        severity: 'critical',
        service: 'postgres',
        summary: 'Postgres is not answering',
        description:
          'postgres-exporter cannot connect to the suite database for more than a minute; rag cannot index or query.',
      },
      {
        alert: 'PostgresConnectionsNearLimit',
        expr: 'sum by (instance) (pg_stat_activity_count) / max by (instance) (pg_settings_max_connections) > 0.8',
        for: '5m',
        severity: 'warning',
        service: 'postgres',
        summary: 'Postgres connections near max_connections',
        description: '{{ $value | humanizePercentage }} of max_connections are in use.',
      },
    ],
  },
];
