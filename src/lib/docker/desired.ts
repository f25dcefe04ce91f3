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
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The config hash of a service as deployed: its spec, the resolved image id, a digest of the secret
 * values it uses and of the rendered files it mounts, and the suite-level settings that shape its
 * container (bind address, network). A change in any of them recreates exactly that service.
 */
export function desiredHash(
  suite: SuiteSpec,
  svc: ServiceSpec,
  imageId: string,
  secrets: Secrets,
  files: readonly RenderedFile[],
): string {
  const env = secretEnv(svc, secrets);
  return serviceConfigHash(svc, {
    image: imageId,
    secrets: sha256(canonicalJson(env)),
    files: sha256(canonicalJson(filesOf(svc, files).map((f) => [f.path, sha256(f.content)]))),
    bindAddress: suite.bindAddress,
    network: suite.network,
  });
}
