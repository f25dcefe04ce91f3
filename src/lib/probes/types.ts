import type { Clock } from './clock.js';

/** A scalar a JSON assertion compares with. */
export type Scalar = string | number | boolean | null;

/**
 * One assertion on a JSON body. `path` is dotted with `[n]` indexes and `[*]` wildcards
 * (`data.activeTargets[*].health`); a wildcard path must match at least one value and every value must pass.
 */
export interface JsonAssertion {
  readonly path: string;
  readonly equals?: Scalar;
  readonly oneOf?: readonly Scalar[];
  readonly exists?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Regular expression the string value must match. */
  readonly matches?: string;
  /** An array or object with at least one element. */
  readonly nonEmpty?: boolean;
}

export interface HttpProbeSpec {
  readonly kind: 'http';
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'HEAD' | 'PUT';
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON request body. */
  readonly body?: unknown;
  /** Accepted status codes (default: any 2xx). */
  readonly expectStatus?: readonly number[];
  readonly json?: readonly JsonAssertion[];
  readonly bodyContains?: string;
  /** Fails when the response took longer (a latency bound, separate from the timeout). */
  readonly maxLatencyMs?: number;
}

export type Comparison = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface PromqlProbeSpec {
  readonly kind: 'promql';
  /** Prometheus base URL. */
  readonly url: string;
  readonly query: string;
  /** Condition every sample must meet (default: any value; the result must still be non-empty). */
  readonly condition?: { readonly op: Comparison; readonly value: number };
  /** At least one sample per value of this label (e.g. every job has an `up` series). */
  readonly expectLabel?: { readonly name: string; readonly values: readonly string[] };
}

export interface LogqlProbeSpec {
  readonly kind: 'logql';
  /** Loki base URL. */
  readonly url: string;
  readonly query: string;
  /** Look-back window (default 300 s). */
  readonly sinceSeconds?: number;
  readonly minStreams?: number;
  /** At least one stream per value of this stream label (e.g. logs from every service). */
  readonly expectLabel?: { readonly name: string; readonly values: readonly string[] };
  readonly headers?: Readonly<Record<string, string>>;
}

export interface GrafanaDashboardProbeSpec {
  readonly kind: 'grafana-dashboard';
  /** Grafana base URL. */
  readonly url: string;
  readonly uid: string;
  /** Prometheus the dashboard's queries run against. */
  readonly prometheusUrl: string;
  readonly username?: string;
  readonly password?: string;
  /** Value substituted for $__rate_interval, $__interval and $__range (default 5m). */
  readonly interval?: string;
}

export interface TcpProbeSpec {
  readonly kind: 'tcp';
  readonly host: string;
  readonly port: number;
  /** `listening`: something accepts connections; `free`: the port can be bound (pre-flight). */
  readonly expect: 'listening' | 'free';
  /**
   * With `free`: a port this aisuite project's own container publishes counts as free (`up` keeps or
   * replaces that container), as in `up`'s pre-flight.
   */
  readonly project?: string;
}

export interface DiskProbeSpec {
  readonly kind: 'disk';
  /** A path on the file system to measure (the nearest existing parent is used). */
  readonly path: string;
  readonly minFreeMiB: number;
}

export interface FileProbeSpec {
  readonly kind: 'file';
  readonly path: string;
  readonly type?: 'file' | 'directory';
  readonly minBytes?: number;
  /** Exact permission bits, octal string (`"0600"`) or number. */
  readonly mode?: string | number;
}

export type DockerProbeSpec =
  | { readonly kind: 'docker'; readonly check: 'engine' }
  | {
      readonly kind: 'docker';
      readonly check: 'containers';
      readonly project: string;
      /** Services that must have a running container (default: every container of the project). */
      readonly services?: readonly string[];
      /** Highest acceptable restart count per container (default 0). */
      readonly maxRestarts?: number;
    };

export interface GpuProbeSpec {
  readonly kind: 'gpu';
  readonly minCount?: number;
  readonly minFreeMemoryMiB?: number;
  /** nvidia-smi executable (default `nvidia-smi` on PATH). */
  readonly binary?: string;
}

export interface CommandProbeSpec {
  readonly kind: 'command';
  readonly command: readonly string[];
  readonly expectExitCode?: number;
  readonly stdoutMatches?: string;
}

export interface McpProbeSpec {
  readonly kind: 'mcp';
  /** Streamable HTTP endpoint, e.g. http://127.0.0.1:8020/mcp. */
  readonly url: string;
  /** Bearer token. */
  readonly token?: string;
  /** Tools that must be listed. */
  readonly expectTools?: readonly string[];
  /** One tool call that must not return an error result. */
  readonly call?: { readonly name: string; readonly arguments?: Readonly<Record<string, unknown>> };
}

export type ProbeSpec =
  | HttpProbeSpec
  | McpProbeSpec
  | PromqlProbeSpec
  | LogqlProbeSpec
  | GrafanaDashboardProbeSpec
  | TcpProbeSpec
  | DiskProbeSpec
  | FileProbeSpec
  | DockerProbeSpec
  | GpuProbeSpec
  | CommandProbeSpec;

export type ProbeKind = ProbeSpec['kind'];

/** What one attempt of a probe found. `message` is for people; `observed` for the JSON report. */
export interface ProbeOutcome {
  readonly ok: boolean;
  readonly message: string;
  readonly observed?: unknown;
}

export interface ProbeContext {
  /** Aborts when the attempt's timeout or the run's deadline passes. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
}

export interface Probe {
  readonly kind: ProbeKind;
  run(ctx: ProbeContext): Promise<ProbeOutcome>;
}

export const pass = (message: string, observed?: unknown): ProbeOutcome => ({ ok: true, message, observed });
export const fail = (message: string, observed?: unknown): ProbeOutcome => ({ ok: false, message, observed });
