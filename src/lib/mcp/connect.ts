import { UserError } from '../errors.js';
import { readSecrets } from '../secrets/store.js';
import { resolveSuite } from '../suite/resolve.js';
import { ApprovalsClient } from './approvals-client.js';

export interface ConnectFlags {
  config?: string;
  project?: string;
  'secrets-file'?: string;
  'mcp-url'?: string;
}

/** The mcp-server's URL from the flags or the suite's config, and a token with approvals:review. */
export async function connectApprovals(
  flags: ConnectFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ client: ApprovalsClient; url: string }> {
  const resolved = await resolveSuite({ ...flags, phase: '3' }, { missingModels: 'warn' });
  let url = flags['mcp-url'];
  if (!url) {
    const mcp = resolved.suite.services.find((s) => s.name === 'mcp-server');
    const port = mcp?.ports[0]?.host ?? 8020;
    const host = resolved.suite.bindAddress === '0.0.0.0' ? '127.0.0.1' : resolved.suite.bindAddress;
    url = `http://${host}:${port}`;
  }
  const token = env.AISUITE_MCP_TOKEN || (await readSecrets(resolved.secretsFile))['mcp-admin-token'];
  if (!token) {
    throw new UserError(`no token for the mcp-server: ${resolved.secretsFile} has no mcp-admin-token`, {
      hint: 'Set AISUITE_MCP_TOKEN to a token with approvals:review, or pass --secrets-file of the running suite.',
      code: 'MCP_TOKEN_MISSING',
    });
  }
  return { client: new ApprovalsClient(url, token), url };
}
