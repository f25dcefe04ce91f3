import { UserError } from '../../errors.js';
import type { AlertReceivers, SuiteSpec } from '../../suite/types.js';
import type { RenderedFile } from '../types.js';
import { toYaml } from '../yaml.js';

/** The receiver that discards: the default, and the target of `info` alerts. */
export const NULL_RECEIVER = 'null';

/** Alerts about one service are grouped together; one page per service and alert. */
export const GROUP_BY = ['alertname', 'service'] as const;

/**
 * Alerts a ServiceDown of the same service makes redundant: a service that is gone is neither slow nor
 * failing requests, and its scrapes fail for the known reason.
 */
export const INHIBITED_BY_SERVICE_DOWN = '.*(HighErrorRate|HighLatency)|ScrapeFailures';

interface NamedReceiver {
  readonly name: string;
  readonly model: Record<string, unknown>;
}

function receivers(alerting: AlertReceivers): NamedReceiver[] {
  const out: NamedReceiver[] = [
    ...alerting.webhook.map((r) => ({
      name: r.name,
      model: { webhook_configs: [{ url: r.url, send_resolved: true }] },
    })),
    ...alerting.slack.map((r) => ({
      name: r.name,
      model: {
        slack_configs: [
          {
            api_url: r.apiUrl,
            channel: r.channel,
            send_resolved: true,
            title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.service }})',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}',
          },
        ],
      },
    })),
    ...alerting.email.map((r) => ({
      name: r.name,
      model: { email_configs: [{ to: r.to, from: r.from, smarthost: r.smarthost, send_resolved: true }] },
    })),
  ];
  const seen = new Set<string>([NULL_RECEIVER]);
  for (const r of out) {
    if (seen.has(r.name)) {
      throw new UserError(`two alert receivers are named ${JSON.stringify(r.name)}`, {
        hint: `Give every receiver under alerting.receivers in aisuite.yaml its own name ("${NULL_RECEIVER}" is reserved).`,
        code: 'DUPLICATE_RECEIVER',
      });
    }
    seen.add(r.name);
  }
  return out;
}

/** Every configured receiver gets `critical` and `warning` alerts; `info` and anything else is dropped. */
function severityRoute(
  severity: 'critical' | 'warning',
  names: readonly string[],
  timing: Record<string, string>,
) {
  return {
    receiver: NULL_RECEIVER,
    matchers: [`severity="${severity}"`],
    ...timing,
    ...(names.length > 0 ? { routes: names.map((name) => ({ receiver: name, continue: true })) } : {}),
  };
}

/** alertmanager.yml: receivers from aisuite.yaml, routing by severity with grouping, and inhibition. */
export function renderAlertmanager(suite: SuiteSpec): RenderedFile {
  const configured = receivers(suite.alerting);
  const names = configured.map((r) => r.name);
  const model = {
    route: {
      receiver: NULL_RECEIVER,
      group_by: [...GROUP_BY],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        severityRoute('critical', names, { group_wait: '10s', repeat_interval: '1h' }),
        severityRoute('warning', names, { repeat_interval: '4h' }),
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['alertname="ServiceDown"'],
        target_matchers: [`alertname=~"${INHIBITED_BY_SERVICE_DOWN}"`],
        equal: ['service'],
      },
      // A critical alert silences the warning-level twin of the same problem.
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'service'],
      },
    ],
    receivers: [{ name: NULL_RECEIVER }, ...configured.map((r) => ({ name: r.name, ...r.model }))],
  };
  return {
    path: 'alertmanager/alertmanager.yml',
    content: toYaml(
      model,
      configured.length === 0
        ? 'No receivers configured: alerts are only visible in Alertmanager. Add some under alerting.receivers in aisuite.yaml.'
        : undefined,
    ),
  };
}
