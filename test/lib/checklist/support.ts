import { resolveSuite } from '../../../src/lib/suite/resolve.js';
import { targetFromSuite, type ChecklistTarget } from '../../../src/lib/checklist/target.js';
import type { SuiteFlagValues } from '../../../src/lib/cli/suite-flags.js';

/** A checklist target from the real suite model for the given flags (no Docker, no files needed). */
export async function targetFor(
  flags: SuiteFlagValues,
  extra: { urls?: Record<string, string>; secrets?: ChecklistTarget['secrets'] } = {},
): Promise<ChecklistTarget> {
  const resolved = await resolveSuite(
    { project: 'cltest', 'secrets-file': '/tmp/aisuite-cltest/secrets.env', ...flags },
    { missingModels: 'warn', env: { AISUITE_STATE_DIR: '/tmp/aisuite-cltest-state' } },
  );
  return targetFromSuite({
    resolved,
    secrets: extra.secrets ?? {
      'gateway-api-key': 'sk-aisuite-test-key-123456',
      'mcp-admin-token': 'mcp-test-token-123456',
      'grafana-admin-password': 'grafana-pw-123456',
    },
    urls: extra.urls,
    dockerRoot: '/var/lib/docker',
  });
}
