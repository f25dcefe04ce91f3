/**
 * The contract between aisuite.yaml's service settings and the services: the environment `buildSuite`
 * writes for `gateway:` and `mcp:` is read by each service's own configuration loader as the values
 * the settings say (a unit mismatch, e.g. seconds written where milliseconds are read, fails here).
 */
import { describe, expect, it } from 'vitest';
import { buildSuite, type SuiteOptions } from '../../../src/lib/suite/build.js';
import { loadEnv } from '../../../src/services/kit/env.js';
import { loadGatewayConfig } from '../../../src/services/gateway/config.js';
import { mcpServerEnv } from '../../../src/services/mcp-server/config.js';
import { suiteOptions } from '../../support/suite-options.js';

function environmentOf(service: string, overrides: Partial<SuiteOptions>): NodeJS.ProcessEnv {
  const svc = buildSuite(suiteOptions({ phase: 3, ...overrides })).services.find((s) => s.name === service)!;
  // the secrets the container gets from the secrets file
  return { ...svc.environment, GATEWAY_API_KEY: 'k', MCP_ADMIN_TOKEN: 'mcp-admin-token-0123456789' };
}

describe('service settings from aisuite.yaml, as the services read them', () => {
  it('gateway: timeouts, retries, allowed fails, cooldown, fallbacks, code routing', () => {
    const { router } = loadGatewayConfig(
      environmentOf('api-gateway', {
        gateway: {
          timeoutSeconds: 600,
          streamTimeoutSeconds: 45,
          numRetries: 0,
          allowedFails: 7,
          cooldownSeconds: 30,
          fallbacks: { chat: ['code'] },
          codeRouting: false,
        },
      }),
    );
    expect(router).toMatchObject({
      timeoutMs: 600_000,
      streamTimeoutMs: 45_000,
      numRetries: 0,
      allowedFails: 7,
      cooldownMs: 30_000,
      fallbacks: { chat: ['code'] },
      codeRouting: { enabled: false },
    });
  });

  it('gateway: no settings leave its defaults', () => {
    const { router } = loadGatewayConfig(environmentOf('api-gateway', {}));
    expect(router).toMatchObject({
      timeoutMs: 60_000,
      numRetries: 2,
      fallbacks: { chat: ['code'], code: ['chat'] },
    });
  });

  it('mcp-server: rate limit, approval lifetime, self-approval', () => {
    const cfg = loadEnv(
      mcpServerEnv,
      environmentOf('mcp-server', {
        mcp: { rateLimit: '5/30s', approvalTtlMinutes: 60, allowSelfApproval: true },
      }),
    );
    expect(cfg.MCP_RATE_LIMIT).toEqual({ calls: 5, windowMs: 30_000 });
    expect(cfg.MCP_APPROVAL_TTL).toBe(3_600_000);
    expect(cfg.MCP_APPROVAL_ALLOW_SELF).toBe(true);
    const defaults = loadEnv(mcpServerEnv, environmentOf('mcp-server', {}));
    expect(defaults.MCP_RATE_LIMIT).toEqual({ calls: 60, windowMs: 60_000 });
    expect(defaults.MCP_APPROVAL_ALLOW_SELF).toBe(false);
  });
});
