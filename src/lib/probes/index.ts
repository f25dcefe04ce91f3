import type Docker from 'dockerode';
import { CommandProbe } from './command.js';
import { DiskProbe } from './disk.js';
import { DockerProbe } from './docker.js';
import { FileProbe } from './file.js';
import { GpuProbe } from './gpu.js';
import { GrafanaDashboardProbe } from './grafana.js';
import { HttpProbe } from './http.js';
import { LogqlProbe } from './logql.js';
import { McpProbe } from './mcp.js';
import { PromqlProbe } from './promql.js';
import { TcpProbe } from './tcp.js';
import type { Probe, ProbeSpec } from './types.js';

export * from './types.js';
export { systemClock, ManualClock, type Clock } from './clock.js';

export interface ProbeDeps {
  /** Docker client for docker probes (default: from DOCKER_HOST or the local socket). */
  readonly docker?: Docker;
}

export const PROBE_KINDS = [
  'http',
  'mcp',
  'promql',
  'logql',
  'grafana-dashboard',
  'tcp',
  'disk',
  'file',
  'docker',
  'gpu',
  'command',
] as const satisfies readonly ProbeSpec['kind'][];

/** The one factory every probe is made by. */
export function createProbe(spec: ProbeSpec, deps: ProbeDeps = {}): Probe {
  switch (spec.kind) {
    case 'http':
      return new HttpProbe(spec);
    case 'mcp':
      return new McpProbe(spec);
    case 'promql':
      return new PromqlProbe(spec);
    case 'logql':
      return new LogqlProbe(spec);
    case 'grafana-dashboard':
      return new GrafanaDashboardProbe(spec);
    case 'tcp':
      return new TcpProbe(spec);
    case 'disk':
      return new DiskProbe(spec);
    case 'file':
      return new FileProbe(spec);
    case 'docker':
      return new DockerProbe(spec, deps.docker);
    case 'gpu':
      return new GpuProbe(spec);
    case 'command':
      return new CommandProbe(spec);
  }
}
