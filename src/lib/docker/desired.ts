import { compareStrings } from '../compare.js';
import type { RenderedFile } from '../render/types.js';
import type { Secrets } from '../secrets/store.js';
import { canonicalJson, serviceConfigHash, sha256 } from '../suite/hash.js';
import type { ServiceSpec, SuiteSpec } from '../suite/types.js';

/** Secret values a service uses, by environment variable. */
export function secretEnv(svc: ServiceSpec, secrets: Secrets): Record<string, string> {
  return Object.fromEntries(Object.entries(svc.secrets).map(([variable, name]) => [variable, secrets[name]]));
}

/** Rendered files under the service's relative bind sources (the configs it mounts). */
export function filesOf(svc: ServiceSpec, files: readonly RenderedFile[]): RenderedFile[] {
  const sources = svc.binds.map((b) => b.source).filter((s) => !s.startsWith('/'));
  return files
    .filter((f) => sources.some((s) => f.path === s || f.path.startsWith(`${s.replace(/\/$/, '')}/`)))
    .sort((a, b) => compareStrings(a.path, b.path));
}

/** The config hash of a service as deployed, and a digest of each of its parts (for "what changed"). */
export interface DesiredConfig {
  readonly hash: string;
  /** `spec=…,image=…,secrets=…,files=…,network=…`: 8 hex digits of each part's digest. */
  readonly parts: string;
}

/**
 * The config hash of a service as deployed: its spec, the resolved image id, a digest of the secret
 * values it uses and of the rendered files it mounts, and the suite-level settings that shape its
 * container (bind address, network). A change in any of them recreates exactly that service; `parts`
 * (a container label) lets the next plan say which of them changed.
 */
export function desiredConfig(
  suite: SuiteSpec,
  svc: ServiceSpec,
  imageId: string,
  secrets: Secrets,
  files: readonly RenderedFile[],
): DesiredConfig {
  const extra = {
    image: imageId,
    secrets: sha256(canonicalJson(secretEnv(svc, secrets))),
    files: sha256(canonicalJson(filesOf(svc, files).map((f) => [f.path, sha256(f.content)]))),
    bindAddress: suite.bindAddress,
    network: suite.network,
  };
  const parts: Record<string, string> = {
    spec: sha256(canonicalJson(svc)),
    image: sha256(imageId),
    secrets: extra.secrets,
    files: extra.files,
    network: sha256(canonicalJson([suite.bindAddress, suite.network])),
  };
  return {
    hash: serviceConfigHash(svc, extra),
    parts: Object.entries(parts)
      .map(([k, v]) => `${k}=${v.slice(0, 8)}`)
      .join(','),
  };
}

/** The names of the parts that differ between two `parts` labels; undefined when either is missing. */
export function changedParts(before: string | undefined, after: string | undefined): string[] | undefined {
  if (!before || !after) return undefined;
  const parse = (label: string) => new Map(label.split(',').map((kv) => kv.split('=') as [string, string]));
  const a = parse(before);
  const b = parse(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
}
