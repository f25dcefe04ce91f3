/**
 * Routes the kit serves for machines (probes, Prometheus). The kit logs them at debug level; the rendered
 * dashboards and `aisuite metrics` keep them out of request rates and error ratios. The services' bundle
 * inlines it (src/services/kit); no imports, so it pulls nothing of the CLI in.
 */
export const PROBE_ROUTES = ['/metrics', '/livez', '/readyz', '/health'] as const;
