import path from 'node:path';
import type Docker from 'dockerode';
import { volumeName } from '../render/compose.js';
import { LABELS } from '../suite/labels.js';
import type { ServiceSpec, SuiteSpec } from '../suite/types.js';

const NANOS = 1_000_000_000;

/** Container name of a service: `<project>-<service>`. */
export function containerName(project: string, service: string): string {
  return `${project}-${service}`;
}

/** Host path of a bind source: relative sources point into the rendered directory. */
export function bindSource(source: string, renderedDir: string): string {
  return path.isAbsolute(source) ? source : path.join(renderedDir, ...source.split('/'));
}

export interface ContainerInputs {
  readonly configHash: string;
  /** Digests of the hash's parts, recorded as a label so a later plan can say what changed. */
  readonly configParts?: string;
  readonly release: string;
  /** Secret values by environment variable name (already resolved from the secrets file). */
  readonly secretEnv: Readonly<Record<string, string>>;
  readonly renderedDir: string;
  /** The secrets file `secretEnv` came from, recorded as a label (see secrets-origin.ts). */
  readonly secretsFile?: string;
}

/** The dockerode create options for one service (pure; the same inputs give the same options). */
export function containerOptions(
  suite: SuiteSpec,
  svc: ServiceSpec,
  inputs: ContainerInputs,
): Docker.ContainerCreateOptions {
  const env = { ...svc.environment, ...inputs.secretEnv };
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of svc.ports) {
    const key = `${port.container}/tcp`;
    exposed[key] = {};
    if (port.host !== undefined) {
      bindings[key] = [...(bindings[key] ?? []), { HostIp: suite.bindAddress, HostPort: String(port.host) }];
    }
  }
  const mounts: Docker.MountSettings[] = [
    ...svc.volumes.map((v) => ({
      Type: 'volume' as const,
      Source: volumeName(suite.project, v.volume),
      Target: v.target,
      ReadOnly: false,
    })),
    ...svc.binds.map((b) => ({
      Type: 'bind' as const,
      Source: bindSource(b.source, inputs.renderedDir),
      Target: b.target,
      ReadOnly: b.readOnly,
    })),
  ];
  const hostConfig: Docker.HostConfig = {
    NetworkMode: suite.network,
    PortBindings: bindings,
    Mounts: mounts,
    RestartPolicy: { Name: svc.restart },
    SecurityOpt: ['no-new-privileges:true'],
    ReadonlyRootfs: svc.readOnlyRootFilesystem,
    Init: false,
    LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
  };
  if (svc.tmpfs.length > 0) hostConfig.Tmpfs = Object.fromEntries(svc.tmpfs.map((t) => [t, '']));
  if (svc.resources.memoryMb) hostConfig.Memory = svc.resources.memoryMb * 1024 * 1024;
  if (svc.resources.cpus) hostConfig.NanoCpus = Math.round(svc.resources.cpus * NANOS);
  if (svc.gpu) {
    hostConfig.DeviceRequests = [
      {
        Driver: svc.gpu.driver,
        Count: svc.gpu.count === 'all' ? -1 : svc.gpu.count,
        Capabilities: [[...svc.gpu.capabilities]],
      },
    ];
  }
  const options: Docker.ContainerCreateOptions = {
    name: containerName(suite.project, svc.name),
    Image: svc.image.ref,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABELS.project]: suite.project,
      [LABELS.service]: svc.name,
      [LABELS.configHash]: inputs.configHash,
      ...(inputs.configParts ? { [LABELS.configParts]: inputs.configParts } : {}),
      [LABELS.release]: inputs.release,
      [LABELS.phase]: svc.group,
      ...(inputs.secretsFile ? { [LABELS.secretsFile]: inputs.secretsFile } : {}),
    },
    ExposedPorts: exposed,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: { [suite.network]: { Aliases: [svc.name] } } },
  };
  if (svc.command) options.Cmd = [...svc.command];
  if (svc.entrypoint) options.Entrypoint = [...svc.entrypoint];
  if (svc.user) options.User = svc.user;
  if (svc.healthcheck) {
    options.Healthcheck = {
      Test: [...svc.healthcheck.test],
      Interval: svc.healthcheck.intervalSeconds * NANOS,
      Timeout: svc.healthcheck.timeoutSeconds * NANOS,
      Retries: svc.healthcheck.retries,
      StartPeriod: svc.healthcheck.startPeriodSeconds * NANOS,
    };
  }
  return options;
}
