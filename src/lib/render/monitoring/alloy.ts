import type { SuiteSpec } from '../../suite/types.js';
import { LABELS } from '../../suite/labels.js';
import type { RenderedFile } from '../types.js';
import { generatedMarker } from '../yaml.js';
import { attr, block, ref, writeRiver } from './river.js';

const DOCKER_HOST = 'unix:///var/run/docker.sock';

/** The Prometheus-style meta label Docker discovery gives a container label (dots become underscores). */
const metaLabel = (label: string) => `__meta_docker_container_label_${label.replace(/[^A-Za-z0-9_]/g, '_')}`;

// Probe and scrape requests logged by the third-party components (Grafana, Loki, Prometheus...).
const PROBE_LINES =
  '.*((GET|HEAD) |path=)/(-/ready|-/healthy|api/health|ready|healthz|livez|readyz|metrics)[ ?"].*';

/**
 * config.alloy: ships the logs of this suite's containers (found by the project label) to Loki, labelled
 * with service and phase; parses the services' JSON logs (level as a label, request id as structured
 * metadata, the log's own timestamp) and drops debug lines and probe noise.
 */
export function renderAlloy(suite: SuiteSpec): RenderedFile {
  const blocks = [
    block('discovery.docker', 'suite', [
      attr('host', DOCKER_HOST),
      attr('refresh_interval', '10s'),
      block('filter', undefined, [
        attr('name', 'label'),
        attr('values', [`${LABELS.project}=${suite.project}`]),
      ]),
    ]),
    block('discovery.relabel', 'suite', [
      attr('targets', []),
      block('rule', undefined, [
        attr('source_labels', [metaLabel(LABELS.service)]),
        attr('target_label', 'service'),
      ]),
      block('rule', undefined, [
        attr('source_labels', [metaLabel(LABELS.phase)]),
        attr('target_label', 'phase'),
      ]),
      block('rule', undefined, [
        attr('source_labels', [metaLabel(LABELS.project)]),
        attr('target_label', 'project'),
      ]),
      block('rule', undefined, [
        attr('source_labels', ['__meta_docker_container_name']),
        attr('regex', '/(.*)'),
        attr('target_label', 'container'),
      ]),
    ]),
    block('loki.source.docker', 'suite', [
      attr('host', DOCKER_HOST),
      attr('targets', ref('discovery.docker.suite.targets')),
      attr('relabel_rules', ref('discovery.relabel.suite.rules')),
      attr('forward_to', [ref('loki.process.suite.receiver')]),
    ]),
    block('loki.process', 'suite', [
      block('stage.drop', undefined, [attr('expression', PROBE_LINES), attr('drop_counter_reason', 'probe')]),
      block('stage.json', undefined, [attr('expressions', { level: '', request_id: '', time: '' })]),
      block('stage.drop', undefined, [
        attr('source', 'level'),
        attr('expression', 'trace|debug'),
        attr('drop_counter_reason', 'debug'),
      ]),
      block('stage.timestamp', undefined, [attr('source', 'time'), attr('format', 'RFC3339Nano')]),
      block('stage.labels', undefined, [attr('values', { level: '' })]),
      block('stage.structured_metadata', undefined, [attr('values', { request_id: '' })]),
      attr('forward_to', [ref('loki.write.suite.receiver')]),
    ]),
    block('loki.write', 'suite', [
      block('endpoint', undefined, [attr('url', 'http://loki:3100/loki/api/v1/push')]),
      attr('external_labels', { suite: suite.project }),
    ]),
  ];
  return { path: 'alloy/config.alloy', content: writeRiver([generatedMarker()], blocks) };
}
