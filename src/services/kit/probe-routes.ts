/**
 * Routes the kit serves for machines (probes, Prometheus). The kit logs them at debug level; the rendered
 * dashboards and `aisuite metrics` keep them out of request rates and error ratios. No imports: the CLI
 * loads this module too.
 */
export const PROBE_ROUTES = ['/metrics', '/livez', '/readyz', '/health'] as const;
