import type { SecretName } from '../secrets/store.js';

export type Phase = 1 | 2 | 3;
export type Profile = 'cpu' | 'gpu';
export type ServiceGroup = 'phase1' | 'phase2' | 'phase3' | 'monitoring';

/** Where a service's image comes from. */
export type ImageSource =
  | { readonly kind: 'registry'; readonly ref: string }
  /** Built from this package (the services image). */
  | { readonly kind: 'package'; readonly ref: string };

export interface PortSpec {
  readonly name: string;
  readonly container: number;
  /** Host port, or undefined when the service is only reachable inside the suite network. */
  readonly host?: number;
}

export interface VolumeMount {
  /** A named volume owned by the suite (kept by `down` unless --volumes). */
  readonly volume: string;
  readonly target: string;
}

export interface BindMount {
  /**
   * Host path. Relative paths are relative to the rendered directory (configs aisuite writes);
   * absolute paths are host paths (models dir, the Docker socket, /proc...).
   */
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface Healthcheck {
  readonly test: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

export interface HttpEndpoint {
  readonly port: number; // container port
  readonly path: string;
}

export interface GpuRequest {
  readonly driver: 'nvidia';
  readonly count: number | 'all';
  readonly capabilities: readonly string[];
}

export interface Resources {
  readonly memoryMb?: number;
  readonly cpus?: number;
}

export interface ServiceSpec {
  readonly name: string;
  readonly group: ServiceGroup;
  readonly description: string;
  readonly image: ImageSource;
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly ports: readonly PortSpec[];
  /** Plain environment (never secrets). */
  readonly environment: Readonly<Record<string, string>>;
  /** Secrets passed as environment variables: variable name -> secret. */
  readonly secrets: Readonly<Record<string, SecretName>>;
  readonly volumes: readonly VolumeMount[];
  readonly binds: readonly BindMount[];
  readonly healthcheck?: Healthcheck;
  readonly dependsOn: readonly { readonly service: string; readonly condition: 'started' | 'healthy' }[];
  /** Readiness endpoint polled through the host port by `up`. */
  readonly readiness?: HttpEndpoint;
  /** Prometheus scrape endpoint (inside the suite network). */
  readonly metrics?: HttpEndpoint;
  readonly gpu?: GpuRequest;
  readonly resources: Resources;
  /** User to run as (non-root where the image allows). */
  readonly user?: string;
  readonly readOnlyRootFilesystem: boolean;
  readonly tmpfs: readonly string[];
  /** Time budget for readiness in seconds (a database or model loader minutes, a stateless service seconds). */
  readonly timeBudgetSeconds: number;
  readonly restart: 'unless-stopped' | 'no';
}

export interface SuiteSpec {
  readonly project: string;
  readonly phase: Phase;
  readonly profile: Profile;
  readonly monitoring: boolean;
  readonly bindAddress: string;
  readonly network: string;
  readonly services: readonly ServiceSpec[];
  /** Named volumes used by the selected services. */
  readonly volumes: readonly string[];
  readonly modelsDir: string;
  readonly packageImage: string;
  readonly alerting: AlertReceivers;
  /** Where alert rules' `runbook_url` points (`{alert}`: the alert's lower-cased name); unset: the monitoring guide. */
  readonly runbookUrl?: string;
  readonly lokiRetentionHours: number;
  /** Prometheus's scrape and rule evaluation interval; unset in releases recorded before it could be set (15 s). */
  readonly scrapeIntervalSeconds?: number;
}

export interface WebhookReceiver {
  readonly name: string;
  readonly url: string;
}
export interface SlackReceiver {
  readonly name: string;
  readonly apiUrl: string;
  readonly channel: string;
}
export interface EmailReceiver {
  readonly name: string;
  readonly to: string;
  readonly from: string;
  readonly smarthost: string;
}
export interface AlertReceivers {
  readonly webhook: readonly WebhookReceiver[];
  readonly slack: readonly SlackReceiver[];
  readonly email: readonly EmailReceiver[];
}
