import { readSecrets } from '../secrets/store.js';
import type { SuiteFlagValues } from '../cli/suite-flags.js';
import { resolveSuite, type ResolvedSuite } from '../suite/resolve.js';
import { checklistSettings, type ChecklistSettings } from './config.js';
import { targetFromSuite, type ChecklistTarget } from './target.js';

export interface PreparedTarget {
  readonly resolved: ResolvedSuite;
  readonly settings: ChecklistSettings;
  readonly target: ChecklistTarget;
}

/**
 * The suite a checklist runs against: aisuite.yaml + flags through `resolveSuite`, `checklist:` settings,
 * base URL overrides, and the secrets read (never created) from the secrets file.
 */
export async function prepareTarget(
  flags: SuiteFlagValues,
  urls: Readonly<Record<string, string>> = {},
): Promise<PreparedTarget> {
  // phase and profile not given: those of the deployed release (the suite this host runs)
  const resolved = await resolveSuite(flags, { missingModels: 'preflight', deployedDefaults: true });
  const settings = checklistSettings(resolved.config, { urls });
  const secrets = await readSecrets(resolved.secretsFile);
  let dockerRoot: string | undefined;
  try {
    const { createDocker } = await import('../docker/engine.js');
    const info = (await createDocker().info()) as { DockerRootDir?: string };
    dockerRoot = info.DockerRootDir;
  } catch {
    // engine unreachable: the docker-engine check says so; disk space falls back to the default root
  }
  return {
    resolved,
    settings,
    target: targetFromSuite({ resolved, secrets, urls: settings.urls, dockerRoot }),
  };
}
