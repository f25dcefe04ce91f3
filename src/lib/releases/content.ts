import type { RenderedFile } from '../render/types.js';
import { readSecrets, SECRET_NAMES } from '../secrets/store.js';
import { canonicalJson, sha256 } from '../suite/hash.js';
import type { SuiteSpec } from '../suite/types.js';
import { packageVersion } from '../version.js';

/** sha256 of the rendered files and the image refs: equal content, equal hash. */
export function contentHash(suite: SuiteSpec, files: readonly RenderedFile[]): string {
  return sha256(
    canonicalJson({
      files: [...files].map((f) => [f.path, sha256(f.content)]).sort(),
      images: suite.services.map((s) => [s.name, s.image.ref]).sort(),
    }),
  );
}

/** The default release tag: the package version plus a short content hash, e.g. `0.1.0-3f9a2c1d`. */
export function defaultTag(
  suite: SuiteSpec,
  files: readonly RenderedFile[],
  version = packageVersion(),
): string {
  return `${version}-${contentHash(suite, files).slice(0, 8)}`;
}

/**
 * A hash of everything the containers get in their environment. Secrets enter only as their own sha256,
 * so a rotated secret changes the hash while the record holds nothing secret.
 */
export async function environmentHash(suite: SuiteSpec, secretsFile: string): Promise<string> {
  const secrets = await readSecrets(secretsFile);
  return sha256(
    canonicalJson({
      environment: suite.services.map((s) => [s.name, s.environment]),
      secrets: SECRET_NAMES.map((name) => [name, secrets[name] ? sha256(secrets[name]) : null]),
    }),
  );
}

/** Image ref of each service that owns a volume (the code that reads and writes the data rollback keeps). */
export function dataSchema(suite: SuiteSpec): Record<string, string> {
  return Object.fromEntries(
    suite.services.filter((s) => s.volumes.length > 0).map((s) => [s.name, s.image.ref]),
  );
}
