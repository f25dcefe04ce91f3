import { connectHost, publishedUrl } from '../suite/address.js';
import { scrapeIntervalOf } from '../suite/build.js';
import { catalog } from '../suite/catalog.js';
import { modelFiles } from '../suite/model-files.js';
import type { ResolvedSuite } from '../suite/resolve.js';
import type { Phase, Profile, ServiceGroup } from '../suite/types.js';
import type { SecretName } from '../secrets/store.js';

export interface ServiceTarget {
  readonly name: string;
  readonly group: ServiceGroup;
  /** Base URL reachable from this host (override from aisuite.yaml, else bind address + host port). */
  readonly url?: string;
  readonly host: string;
  readonly hostPort?: number;
  /** Path of the health endpoint (`/health` for the package's services, else the readiness path). */
  readonly healthPath?: string;
  readonly isPackage: boolean;
  /** Prometheus scrapes it: a job of that name is in the rendered prometheus.yml. */
  readonly scraped: boolean;
}

/** Everything the built-in checks are filled in from: the suite as selected, and where to reach it. */
export interface ChecklistTarget {
  readonly project: string;
  readonly phase: Phase;
  readonly profile: Profile;
  readonly monitoring: boolean;
  readonly services: readonly ServiceTarget[];
  /** Services the phase/monitoring selection knows but this run leaves out, with the reason (`without=grafana`). */
  readonly leftOut: Readonly<Record<string, string>>;
  readonly secretsFile: string;
  readonly modelsDir: string;
  /** Model files (absolute paths) the GPU profile needs. */
  readonly modelFiles: readonly string[];
  /** Where Docker keeps images and volumes (disk space check). */
  readonly dockerRoot: string;
  readonly embeddingModel: string;
  /** How often Prometheus scrapes (checks waiting for a first scrape retry for two of these). */
  readonly scrapeIntervalSeconds: number;
  readonly secrets: Readonly<Partial<Record<SecretName, string>>>;
}

export interface TargetInput {
  readonly resolved: Pick<ResolvedSuite, 'suite' | 'options' | 'secretsFile'>;
  readonly secrets: Readonly<Partial<Record<SecretName, string>>>;
  /** Base URL per service, e.g. from `checklist.urls` in aisuite.yaml (a suite this run did not start). */
  readonly urls?: Readonly<Record<string, string>>;
  readonly dockerRoot?: string;
}

/** Builds the checklist target from the resolved suite model. */
export function targetFromSuite(input: TargetInput): ChecklistTarget {
  const { suite, options, secretsFile } = input.resolved;
  const host = connectHost(suite.bindAddress);
  const selected = new Set(suite.services.map((s) => s.name));
  const services: ServiceTarget[] = suite.services.map((svc) => {
    const hostPort = svc.ports.find((p) => p.host !== undefined)?.host;
    const override = input.urls?.[svc.name]?.replace(/\/$/, '');
    const isPackage = svc.image.kind === 'package';
    return {
      name: svc.name,
      group: svc.group,
      host,
      hostPort,
      url: override ?? publishedUrl(suite, svc),
      healthPath: svc.readiness ? (isPackage ? '/health' : svc.readiness.path) : undefined,
      isPackage,
      scraped: svc.metrics !== undefined,
    };
  });
  const leftOut: Record<string, string> = {};
  for (const svc of catalog(options)) {
    if (selected.has(svc.name)) continue;
    if (options.without.includes(svc.name)) leftOut[svc.name] = `without=${svc.name}`;
    else if (svc.group === 'monitoring' && !suite.monitoring) leftOut[svc.name] = 'monitoring=off';
    else leftOut[svc.name] = `phase=${suite.phase}`;
  }
  const ggufFiles = modelFiles(suite)
    .filter((m) => m.kind === 'gguf')
    .flatMap((m) => m.files);
  return {
    project: suite.project,
    phase: suite.phase,
    profile: suite.profile,
    monitoring: suite.monitoring,
    services,
    leftOut,
    secretsFile,
    modelsDir: suite.modelsDir,
    modelFiles: ggufFiles,
    dockerRoot: input.dockerRoot ?? '/var/lib/docker',
    embeddingModel: options.embeddingModel,
    scrapeIntervalSeconds: scrapeIntervalOf(suite),
    secrets: input.secrets,
  };
}
