import { didYouMean } from '../closest.js';
import { UserError } from '../errors.js';
import { catalog, isServiceName, SERVICE_NAMES, SERVICE_PORT, type CatalogOptions } from './catalog.js';
import {
  gatewayEnvironment,
  mcpEnvironment,
  type GatewaySettings,
  type McpSettings,
} from './service-settings.js';
import { isValidImageReference } from './images.js';
import type { AlertReceivers, Phase, Profile, ServiceGroup, ServiceSpec, SuiteSpec } from './types.js';

export interface SuiteOptions extends CatalogOptions {
  readonly project: string;
  /** Undefined: on from phase 3, off below. */
  readonly monitoring?: boolean;
  readonly without: readonly string[];
  readonly images: Readonly<Record<string, string>>;
  readonly ports: Readonly<Record<string, number>>;
  readonly bindAddress: string;
  readonly alerting: AlertReceivers;
  readonly runbookUrl?: string;
  /** Prometheus's scrape interval; default DEFAULT_SCRAPE_INTERVAL_SECONDS. */
  readonly scrapeIntervalSeconds?: number;
  /** The api-gateway's router settings (aisuite.yaml `gateway:`). */
  readonly gateway?: GatewaySettings;
  /** The mcp-server's limits (aisuite.yaml `mcp:`). */
  readonly mcp?: McpSettings;
}

/** How often Prometheus scrapes and evaluates rules unless `prometheus.scrapeIntervalSeconds` says otherwise. */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 15;

/** The suite's scrape interval (releases recorded before it could be set used the default). */
export const scrapeIntervalOf = (suite: Pick<SuiteSpec, 'scrapeIntervalSeconds'>): number =>
  suite.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS;

export const PHASES: readonly Phase[] = [1, 2, 3];
export const PROFILES: readonly Profile[] = ['cpu', 'gpu'];

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function groupsFor(phase: Phase, monitoring: boolean): Set<ServiceGroup> {
  const groups = new Set<ServiceGroup>(['phase1']);
  if (phase >= 2) groups.add('phase2');
  if (phase >= 3) groups.add('phase3');
  if (monitoring) groups.add('monitoring');
  return groups;
}

function checkKnown(kind: string, names: Iterable<string>): void {
  const unknown = [...names].filter((name) => !isServiceName(name));
  if (unknown.length > 0) {
    const named = unknown.map((name) => `${name}${didYouMean(name, SERVICE_NAMES)}`);
    throw new UserError(`unknown service${unknown.length > 1 ? 's' : ''} in ${kind}: ${named.join(', ')}`, {
      hint: `Allowed values: ${SERVICE_NAMES.join(', ')}`,
      code: 'UNKNOWN_SERVICE',
    });
  }
}

function applyOverrides(spec: ServiceSpec, options: SuiteOptions): ServiceSpec {
  const image = options.images[spec.name];
  const hostPort = options.ports[spec.name];
  let out = spec;
  if (image !== undefined) out = { ...out, image: { ...out.image, ref: image } };
  if (hostPort !== undefined) {
    const [first, ...rest] = out.ports;
    if (first === undefined) {
      throw new UserError(`service ${spec.name} has no host port to override`, {
        hint: 'Remove it from `ports:` in aisuite.yaml; it is reachable only inside the suite network.',
        code: 'NO_HOST_PORT',
      });
    }
    out = { ...out, ports: [{ ...first, host: hostPort }, ...rest] };
  }
  return out;
}

function checkPorts(services: readonly ServiceSpec[]): void {
  const owners = new Map<number, string>();
  for (const svc of services) {
    for (const port of svc.ports) {
      if (port.host === undefined) continue;
      if (!Number.isInteger(port.host) || port.host < 1 || port.host > 65535) {
        throw new UserError(`service ${svc.name}: host port ${port.host} is not between 1 and 65535`, {
          code: 'INVALID_PORT',
        });
      }
      const other = owners.get(port.host);
      if (other !== undefined) {
        throw new UserError(`services ${other} and ${svc.name} both use host port ${port.host}`, {
          hint: 'Give one of them another port with `ports:` in aisuite.yaml.',
          code: 'PORT_CONFLICT',
          details: { port: port.host, services: [other, svc.name] },
        });
      }
      owners.set(port.host, svc.name);
    }
  }
}

/**
 * The mcp-server's environment that depends on the rest of the suite: the health URLs its `suite_health`
 * tool checks, and the Host values its DNS-rebinding protection accepts (following the published port).
 */
function withSuiteEnvironment(
  mcp: ServiceSpec,
  services: readonly ServiceSpec[],
  bindAddress: string,
): ServiceSpec {
  const targets = services
    .filter((svc) => svc.readiness !== undefined && svc.name !== mcp.name)
    .map((svc) => {
      const path = svc.image.kind === 'package' ? '/health' : svc.readiness!.path;
      return `${svc.name}=http://${svc.name}:${svc.readiness!.port}${path}`;
    });
  const published = mcp.ports[0]?.host;
  const hosts = new Set([`${mcp.name}:${mcp.ports[0]?.container ?? SERVICE_PORT}`]);
  if (published !== undefined) {
    for (const host of ['127.0.0.1', 'localhost', bindAddress === '0.0.0.0' ? undefined : bindAddress]) {
      if (host) hosts.add(`${host}:${published}`);
    }
  }
  return {
    ...mcp,
    environment: {
      ...mcp.environment,
      SUITE_HEALTH_TARGETS: targets.join(','),
      MCP_ALLOWED_HOSTS: [...hosts].join(','),
    },
  };
}

/** Build the validated, typed suite for the given options; every bad input is a UserError (exit 2). */
export function buildSuite(options: SuiteOptions): SuiteSpec {
  if (!PHASES.includes(options.phase)) {
    throw new UserError(`unknown phase: ${String(options.phase)}`, {
      hint: 'Allowed values: 1, 2, 3',
      code: 'UNKNOWN_PHASE',
    });
  }
  if (!PROFILES.includes(options.profile)) {
    throw new UserError(`unknown profile: ${String(options.profile)}`, {
      hint: 'Allowed values: cpu, gpu',
      code: 'UNKNOWN_PROFILE',
    });
  }
  if (!PROJECT_NAME.test(options.project)) {
    throw new UserError(`invalid project name: ${JSON.stringify(options.project)}`, {
      hint: 'Use lowercase letters, digits, "-" and "_" (at most 63 characters), starting with a letter or digit.',
      code: 'INVALID_PROJECT',
    });
  }
  checkKnown('--without', options.without);
  checkKnown('images', Object.keys(options.images));
  checkKnown('ports', Object.keys(options.ports));
  for (const [name, ref] of Object.entries(options.images)) {
    if (!isValidImageReference(ref)) {
      throw new UserError(`invalid image reference for ${name}: ${JSON.stringify(ref)}`, {
        hint: 'Use NAME[:TAG][@DIGEST], e.g. registry.example.com/prom/prometheus:v2.53.4 (lowercase name).',
        code: 'INVALID_IMAGE',
      });
    }
  }
  if (!isValidImageReference(options.packageImage)) {
    throw new UserError(
      `invalid image reference for the services image: ${JSON.stringify(options.packageImage)}`,
      {
        code: 'INVALID_IMAGE',
      },
    );
  }

  const monitoring = options.monitoring ?? options.phase >= 3;
  const groups = groupsFor(options.phase, monitoring);
  const without = new Set(options.without);
  const inGroups = catalog(options).filter((svc) => groups.has(svc.group));
  const selectedNames = new Set(inGroups.filter((svc) => !without.has(svc.name)).map((svc) => svc.name));
  // exporters and shippers only make sense next to what they export or ship to
  if (!selectedNames.has('postgres')) selectedNames.delete('postgres-exporter');
  if (!selectedNames.has('loki')) selectedNames.delete('alloy');
  // a service that waits for a dependency to be healthy cannot start without it: say so now, not
  // after its time budget (a `started` dependency only degrades it: the gateway with one backend)
  const stranded = inGroups.flatMap((svc) =>
    selectedNames.has(svc.name)
      ? svc.dependsOn
          .filter((dep) => dep.condition === 'healthy' && !selectedNames.has(dep.service))
          .map((dep) => ({ service: svc.name, needs: dep.service }))
      : [],
  );
  if (stranded.length > 0) {
    const needs = [...new Set(stranded.map((s) => s.needs))];
    const dependents = [...new Set(stranded.map((s) => s.service))];
    throw new UserError(
      `${stranded.map((s) => `${s.service} needs ${s.needs}`).join(', ')}, which --without leaves out`,
      {
        hint: `Leave out ${dependents.join(', ')} too (--without ${[...options.without, ...dependents].join(',')}), or keep ${needs.join(', ')}.`,
        code: 'MISSING_DEPENDENCY',
      },
    );
  }

  const services = inGroups
    .filter((svc) => selectedNames.has(svc.name))
    .map((svc) => applyOverrides(svc, options))
    .map((svc) => ({ ...svc, dependsOn: svc.dependsOn.filter((dep) => selectedNames.has(dep.service)) }));

  const withTargets = services.map((svc) => {
    if (svc.name === 'mcp-server') {
      const mcp = withSuiteEnvironment(svc, services, options.bindAddress);
      return { ...mcp, environment: { ...mcp.environment, ...mcpEnvironment(options.mcp) } };
    }
    if (svc.name === 'api-gateway') {
      const environment = { ...svc.environment, ...gatewayEnvironment(options.gateway) };
      // without an embedding service the gateway's /v1/embeddings passthrough is off, not "down"
      if (!selectedNames.has('embedding')) environment.EMBEDDING_URL = 'off';
      return { ...svc, environment };
    }
    return svc;
  });
  if (services.length === 0) {
    throw new UserError(
      `phase ${options.phase} with --without ${options.without.join(',')} selects no service`,
      {
        hint: 'Remove some services from --without.',
        code: 'EMPTY_SUITE',
      },
    );
  }
  checkPorts(withTargets);

  const volumes = [...new Set(withTargets.flatMap((svc) => svc.volumes.map((v) => v.volume)))];
  return {
    project: options.project,
    phase: options.phase,
    profile: options.profile,
    monitoring,
    bindAddress: options.bindAddress,
    network: `${options.project}-net`,
    services: withTargets,
    volumes,
    modelsDir: options.modelsDir,
    packageImage: options.packageImage,
    alerting: options.alerting,
    ...(options.runbookUrl === undefined ? {} : { runbookUrl: options.runbookUrl }),
    lokiRetentionHours: options.lokiRetentionHours,
    scrapeIntervalSeconds: options.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS,
  };
}

/** Services in start order: each after its dependencies; ties in catalog order. */
export function startOrder(suite: SuiteSpec): ServiceSpec[][] {
  const remaining = new Map(suite.services.map((svc) => [svc.name, svc]));
  const done = new Set<string>();
  const waves: ServiceSpec[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining.values()].filter((svc) => svc.dependsOn.every((dep) => done.has(dep.service)));
    if (wave.length === 0) throw new Error(`dependency cycle among ${[...remaining.keys()].join(', ')}`);
    for (const svc of wave) {
      remaining.delete(svc.name);
    }
    for (const svc of wave) done.add(svc.name);
    waves.push(wave);
  }
  return waves;
}
