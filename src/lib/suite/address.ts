import type { ServiceSpec, SuiteSpec } from './types.js';

/** The address to reach a published port from this host (a wildcard bind is reached on loopback). */
export function connectHost(bindAddress: string): string {
  return bindAddress === '0.0.0.0' || bindAddress === '::' || bindAddress === '' ? '127.0.0.1' : bindAddress;
}

/** `http://host:port` of a service's first published port, from this host; undefined without one. */
export function publishedUrl(suite: Pick<SuiteSpec, 'bindAddress'>, svc: ServiceSpec): string | undefined {
  const port = svc.ports.find((p) => p.host !== undefined)?.host;
  return port === undefined ? undefined : `http://${connectHost(suite.bindAddress)}:${port}`;
}
