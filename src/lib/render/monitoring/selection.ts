import { PROBE_ROUTES as KIT_PROBE_ROUTES } from '../../probe-routes.js';
import type { ServiceSpec, SuiteSpec } from '../../suite/types.js';

/** True when the named service is part of the suite. */
export function isSelected(suite: SuiteSpec, name: string): boolean {
  return suite.services.some((svc) => svc.name === name);
}

/** True when every named service is part of the suite. */
export function allSelected(suite: SuiteSpec, names: readonly string[]): boolean {
  return names.every((name) => isSelected(suite, name));
}

/** True when at least one named service is part of the suite. */
export function anySelected(suite: SuiteSpec, names: readonly string[]): boolean {
  return names.some((name) => isSelected(suite, name));
}

/** Services Prometheus scrapes: every selected service with a metrics endpoint, in catalog order. */
export function scrapedServices(suite: SuiteSpec): ServiceSpec[] {
  return suite.services.filter((svc) => svc.metrics !== undefined);
}

/** Selected services built from this package (they export the service kit's HTTP and process metrics). */
export function kitServices(suite: SuiteSpec): ServiceSpec[] {
  return suite.services.filter((svc) => svc.image.kind === 'package' && svc.metrics !== undefined);
}

export const INFERENCE_SERVICES = ['inference-chat', 'inference-code'] as const;

/** Routes that only probes and Prometheus call, as a PromQL regex: kept out of request rates and error ratios. */
export const PROBE_ROUTES = KIT_PROBE_ROUTES.join('|');
