import { SECRET_VARIABLES } from '../secrets/store.js';
import type { ServiceSpec, SuiteSpec } from '../suite/types.js';
import { LABELS } from '../suite/labels.js';
import type { RenderedFile } from './types.js';
import { toYaml } from './yaml.js';

const seconds = (n: number) => `${n}s`;

/** Docker volume name for a suite volume (shared by compose and the engine so both see the same data). */
export function volumeName(project: string, volume: string): string {
  return `${project}_${volume}`;
}

function composeService(suite: SuiteSpec, svc: ServiceSpec): Record<string, unknown> {
  const environment: Record<string, string> = { ...svc.environment };
  for (const [variable, secret] of Object.entries(svc.secrets)) {
    const fileVariable = SECRET_VARIABLES[secret];
    environment[variable] =
      `\${${fileVariable}:?missing: pass the secrets file with --env-file (aisuite secrets)}`;
  }
  const out: Record<string, unknown> = {
    image: svc.image.ref,
  };
  if (svc.entrypoint) out.entrypoint = [...svc.entrypoint];
  if (svc.command) out.command = [...svc.command];
  if (svc.user) out.user = svc.user;
  if (Object.keys(environment).length > 0) out.environment = environment;
  const published = svc.ports.filter((p) => p.host !== undefined);
  if (published.length > 0) out.ports = published.map((p) => `${suite.bindAddress}:${p.host}:${p.container}`);
  const mounts = [
    ...svc.volumes.map((v) => `${v.volume}:${v.target}`),
    ...svc.binds.map(
      (b) => `${b.source.startsWith('/') ? b.source : `./${b.source}`}:${b.target}${b.readOnly ? ':ro' : ''}`,
    ),
  ];
  if (mounts.length > 0) out.volumes = mounts;
  if (svc.tmpfs.length > 0) out.tmpfs = [...svc.tmpfs];
  if (svc.readOnlyRootFilesystem) out.read_only = true;
  out.security_opt = ['no-new-privileges:true'];
  if (svc.healthcheck) {
    out.healthcheck = {
      test: [...svc.healthcheck.test],
      interval: seconds(svc.healthcheck.intervalSeconds),
      timeout: seconds(svc.healthcheck.timeoutSeconds),
      retries: svc.healthcheck.retries,
      start_period: seconds(svc.healthcheck.startPeriodSeconds),
    };
  }
  if (svc.dependsOn.length > 0) {
    out.depends_on = Object.fromEntries(
      svc.dependsOn.map((d) => [
        d.service,
        { condition: d.condition === 'healthy' ? 'service_healthy' : 'service_started' },
      ]),
    );
  }
  const deploy: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  if (svc.resources.memoryMb) limits.memory = `${svc.resources.memoryMb}M`;
  if (svc.resources.cpus) limits.cpus = String(svc.resources.cpus);
  if (Object.keys(limits).length > 0) deploy.resources = { limits };
  if (svc.gpu) {
    deploy.resources = {
      ...(deploy.resources as object),
      reservations: {
        devices: [{ driver: svc.gpu.driver, count: svc.gpu.count, capabilities: [...svc.gpu.capabilities] }],
      },
    };
  }
  if (Object.keys(deploy).length > 0) out.deploy = deploy;
  out.restart = svc.restart;
  out.labels = {
    [LABELS.project]: suite.project,
    [LABELS.service]: svc.name,
    [LABELS.phase]: svc.group,
  };
  out.networks = ['default'];
  return out;
}

/** The Compose Specification file for the selected services. */
export function renderCompose(suite: SuiteSpec): RenderedFile {
  const model = {
    name: suite.project,
    services: Object.fromEntries(suite.services.map((svc) => [svc.name, composeService(suite, svc)])),
    networks: { default: { name: suite.network, labels: { [LABELS.project]: suite.project } } },
    ...(suite.volumes.length > 0
      ? {
          volumes: Object.fromEntries(
            suite.volumes.map((v) => [
              v,
              { name: volumeName(suite.project, v), labels: { [LABELS.project]: suite.project } },
            ]),
          ),
        }
      : {}),
  };
  return {
    path: 'compose.yaml',
    content: toYaml(model, 'Run by hand: docker compose --env-file <secrets file> -f compose.yaml up -d'),
  };
}
