/**
 * One project, one set of generated secrets. The secrets (API keys, the database password its volume
 * was initialised with) live in the state directory, so two state directories deploying the same
 * project name on one engine (`sudo aisuite up` once, `aisuite up` as yourself later; another
 * AISUITE_STATE_DIR) would silently replace the running services' secrets: clients holding the old
 * API key get 401, and a database volume keeps the password it was created with. Every container
 * records the secrets file it was deployed from (a path label, never a value); a run from another
 * file stops before anything changes, unless the two files hold the same secrets (a copied state
 * directory).
 */
import path from 'node:path';
import type Docker from 'dockerode';
import { UserError } from '../errors.js';
import { readSecrets } from '../secrets/store.js';
import { LABELS } from '../suite/labels.js';

async function sameSecrets(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([readSecrets(a), readSecrets(b)]);
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    return keys.size > 0 && [...keys].every((k) => x[k as keyof typeof x] === y[k as keyof typeof y]);
  } catch {
    return false; // unreadable (another user's state directory): cannot tell, so not the same
  }
}

/** How to point a run at `file`: the state directory when it is a default location, else the file. */
export function hintFor(file: string, project: string): string {
  const dir = path.dirname(file);
  return path.basename(file) === 'secrets.env' && path.basename(dir) === project
    ? `AISUITE_STATE_DIR=${path.dirname(dir)}`
    : `secretsFile: ${file} in aisuite.yaml`;
}

/** Throws a UserError (exit 2) when running containers of `project` came from another secrets file. */
export async function assertSameSecretsOrigin(
  project: string,
  existing: readonly Docker.ContainerInfo[],
  secretsFile: string,
): Promise<void> {
  const ours = path.resolve(secretsFile);
  const others = new Map<string, string[]>();
  for (const c of existing) {
    const from = c.Labels?.[LABELS.secretsFile];
    if (!from || path.resolve(from) === ours) continue;
    const service = c.Labels?.[LABELS.service] ?? c.Names?.[0] ?? c.Id.slice(0, 12);
    others.set(from, [...(others.get(from) ?? []), service]);
  }
  for (const [from, services] of others) {
    if (await sameSecrets(from, ours)) continue;
    throw new UserError(
      `project "${project}" runs containers deployed with the secrets in ${from} (${services.join(', ')}); ` +
        `this run uses ${ours}, whose secrets differ. Going on would replace the running services' API keys ` +
        'and passwords (a database volume keeps the password it was created with).',
      {
        code: 'SECRETS_ORIGIN_MISMATCH',
        hint:
          `Deploy with the secrets file the suite runs with: ${hintFor(from, project)}. Or remove the ` +
          'running suite first with `aisuite down` run with that same setting (volumes are kept).',
        details: { project, deployedWith: from, thisRun: ours, services },
      },
    );
  }
}
