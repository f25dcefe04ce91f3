import { createHash } from 'node:crypto';
import type { ServiceSpec } from './types.js';

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Canonical JSON (sorted keys) so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(stable(value));
}

/**
 * The config hash of a service: its spec plus anything else that changes the running container
 * (resolved image id, secret values digest, the content of the config files it mounts).
 */
export function serviceConfigHash(spec: ServiceSpec, extra: Readonly<Record<string, string>> = {}): string {
  return sha256(canonicalJson({ spec, extra })).slice(0, 16);
}
