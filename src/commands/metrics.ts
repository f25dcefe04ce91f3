import { Flags } from '../lib/oclif.js';
import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { projectFlags } from '../lib/cli/suite-flags.js';
import { UserError } from '../lib/errors.js';
import type { MetricsSnapshot } from '../lib/metrics/types.js';
import type { AisuiteConfig } from '../lib/config/schema.js';

export default class Metrics extends BaseCommand<typeof Metrics> {
  static override summary =
    "Every service's RED numbers, resources, inference and gateway detail, and firing alerts";
  static override description =
    prose(`Reads Prometheus's HTTP API: per service the request rate, 5xx error ratio, p50/p95
latency, up/down, restarts, CPU and memory (from cAdvisor, or from the service's own process metrics where cAdvisor
is not running; "n/a" where neither exists); tokens per second and time to first token for inference; fallbacks and
backend states for the gateway; and the firing alerts. Values that breach the alert thresholds are red. A
service whose target Prometheus has not scraped yet (in the first scrape interval after \`up\`) is listed as pending.

The Prometheus must be the project's: one that another project's \`up\` configured (its \`suite\` external
label) is refused with exit 2, unless --prometheus-url is given without --project.

--json prints the documented schema aisuite.metrics/v1 (docs/RELEASES.md).`);
  static override examples = [
    '<%= config.bin %> metrics',
    '<%= config.bin %> metrics --since 5m --service api-gateway --service inference-chat',
    '<%= config.bin %> metrics --watch --interval 10',
    '<%= config.bin %> metrics --prometheus-url http://127.0.0.1:9090 --json',
  ];
  static override flags = {
    ...projectFlags,
    since: Flags.string({
      description: 'window of rates and quantiles (a Prometheus duration)',
      default: '15m',
      env: 'AISUITE_METRICS_SINCE',
    }),
    service: Flags.string({
      description: 'only this service (repeatable)',
      multiple: true,
      env: 'AISUITE_METRICS_SERVICE',
    }),
    watch: Flags.boolean({ description: 'refresh in place until Ctrl-C', default: false }),
    interval: Flags.integer({ description: 'seconds between refreshes with --watch', default: 5, min: 1 }),
    'prometheus-url': Flags.string({
      description:
        "the suite's Prometheus (default: from aisuite.yaml's bindAddress and ports, else http://127.0.0.1:9090)",
      env: 'AISUITE_PROMETHEUS_URL',
    }),
  };

  async run(): Promise<MetricsSnapshot> {
    if (this.flags.watch && this.jsonEnabled()) {
      throw new UserError('--watch and --json cannot be used together', {
        hint: 'Poll `aisuite metrics --json` instead.',
        code: 'FLAG_CONFLICT',
      });
    }
    const [{ PrometheusClient }, { collectMetrics }, { renderMetricsTable }] = await Promise.all([
      import('../lib/metrics/prometheus-client.js'),
      import('../lib/metrics/collect.js'),
      import('../lib/metrics/table.js'),
    ]);
    const { loadConfig } = await import('../lib/config/load.js');
    const { config } = await loadConfig(this.flags.config);
    const url = this.flags['prometheus-url'] ?? prometheusUrlFromConfig(config);
    const client = new PrometheusClient(url, { signal: this.signal });
    // the numbers must be the project's: another project's Prometheus on the same port would answer
    if (this.flags['prometheus-url'] === undefined || this.flags.project !== undefined) {
      const project = this.flags.project ?? config.project ?? 'aisuite';
      const suite = await client.suiteLabel();
      if (suite !== undefined && suite !== project) {
        throw new UserError(`the Prometheus at ${url} belongs to project ${suite}, not ${project}`, {
          hint: `Pass the aisuite.yaml of project ${project} (--config, for its ports.prometheus), or --prometheus-url of its Prometheus.`,
          code: 'PROMETHEUS_OTHER_PROJECT',
        });
      }
    }
    const services = (this.flags.service ?? [])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    const once = () => collectMetrics(client, { window: this.flags.since, services });

    let snapshot = await once();
    if (!this.flags.watch) {
      this.log(renderMetricsTable(snapshot, { color: this.color }));
      return snapshot;
    }
    const tty = process.stdout.isTTY === true;
    for (;;) {
      // clear and redraw in place on a terminal; a plain stream gets one block per refresh
      if (tty) process.stdout.write('\u001b[H\u001b[2J');
      this.log(renderMetricsTable(snapshot, { color: this.color }));
      if (!tty) this.log('');
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, this.flags.interval * 1000);
          this.signal.addEventListener(
            'abort',
            () => (clearTimeout(timer), reject(this.signal.reason as Error)),
            {
              once: true,
            },
          );
        });
        snapshot = await once();
      } catch (error) {
        if (this.signal.aborted) return snapshot; // Ctrl-C ends --watch normally
        throw error;
      }
    }
  }
}

/** Where the suite publishes Prometheus: aisuite.yaml's bind address (any-address -> loopback) and port. */
function prometheusUrlFromConfig(config: AisuiteConfig): string {
  const bind = config.bindAddress && config.bindAddress !== '0.0.0.0' ? config.bindAddress : '127.0.0.1';
  const host = bind.includes(':') ? `[${bind}]` : bind;
  return `http://${host}:${config.ports?.prometheus ?? 9090}`;
}
