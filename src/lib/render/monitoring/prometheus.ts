import { scrapeIntervalOf } from '../../suite/build.js';
import type { ServiceSpec, SuiteSpec } from '../../suite/types.js';
import type { RenderedFile } from '../types.js';
import { toYaml } from '../yaml.js';
import { isSelected, scrapedServices } from './selection.js';

function scrapeJob(suite: SuiteSpec, svc: ServiceSpec): Record<string, unknown> {
  const endpoint = svc.metrics!;
  return {
    job_name: svc.name,
    ...(endpoint.path === '/metrics' ? {} : { metrics_path: endpoint.path }),
    static_configs: [{ targets: [`${svc.name}:${endpoint.port}`] }],
    // cAdvisor reports every container on the host; keep only this suite's (other projects are noise
    // and cardinality).
    ...(svc.name === 'cadvisor'
      ? {
          metric_relabel_configs: [
            {
              source_labels: ['container_label_io_aisuite_project'],
              regex: escapeRegex(suite.project),
              action: 'keep',
            },
          ],
        }
      : {}),
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * prometheus.yml: scrapes every selected service's metrics endpoint inside the suite network (job = service
 * name) and loads the rule files next to it (relative paths resolve against the config file's directory,
 * /etc/prometheus in the container, so `promtool check config` works on the rendered directory as is).
 */
export function renderPrometheus(suite: SuiteSpec, hasRules: boolean): RenderedFile {
  const interval = scrapeIntervalOf(suite);
  const model = {
    global: {
      scrape_interval: `${interval}s`,
      // Prometheus refuses a timeout longer than the interval
      scrape_timeout: `${Math.min(10, interval)}s`,
      evaluation_interval: `${interval}s`,
      external_labels: { suite: suite.project },
    },
    ...(hasRules ? { rule_files: ['rules/*.yml'] } : {}),
    ...(isSelected(suite, 'alertmanager')
      ? {
          alerting: {
            alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }],
          },
        }
      : {}),
    scrape_configs: scrapedServices(suite).map((svc) => scrapeJob(suite, svc)),
  };
  return { path: 'prometheus/prometheus.yml', content: toYaml(model) };
}
