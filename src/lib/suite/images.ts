/** Default upstream images, pinned by tag. Overridable per service (`images:` in aisuite.yaml, `--image`). */
export const DEFAULT_IMAGES = {
  'llama-cpp': 'ghcr.io/ggml-org/llama.cpp:server-cuda',
  postgres: 'pgvector/pgvector:pg17',
  prometheus: 'prom/prometheus:v2.53.4',
  alertmanager: 'prom/alertmanager:v0.28.1',
  grafana: 'grafana/grafana:11.4.0',
  loki: 'grafana/loki:3.3.2',
  alloy: 'grafana/alloy:v1.5.1',
  cadvisor: 'gcr.io/cadvisor/cadvisor:v0.49.1',
  'node-exporter': 'prom/node-exporter:v1.9.1',
  'postgres-exporter': 'quay.io/prometheuscommunity/postgres-exporter:v0.16.0',
} as const;

export const PACKAGE_IMAGE_REPOSITORY = 'aisuite/services';

// After github.com/distribution/reference: [domain[:port]/]path[:tag][@digest]
const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const domain =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?';
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const DOMAIN = new RegExp(`^${domain}$`);
const REMAINDER = new RegExp(`^${component}(?:/${component})*(?::${tag})?(?:@${digest})?$`);

/** True when `ref` is a valid image reference (name, optional registry, tag and digest). */
export function isValidImageReference(ref: string): boolean {
  if (ref.length === 0 || ref.length > 255) return false;
  // as Docker does: the first part is a registry only if it has a dot or a port, or is localhost
  const slash = ref.indexOf('/');
  const first = slash === -1 ? '' : ref.slice(0, slash);
  if (first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return DOMAIN.test(first) && REMAINDER.test(ref.slice(slash + 1));
  }
  return REMAINDER.test(ref);
}
