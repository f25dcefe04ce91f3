/**
 * Bearer authentication for /mcp and the admin API: 401 with `WWW-Authenticate` (RFC 6750) for a
 * missing or unknown token, 403 with `error="insufficient_scope"` for a token without the permission.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../kit/index.js';
import type { McpMetrics } from './metrics.js';
import type { Principal, RbacStore } from './rbac.js';

const REALM = 'aisuite-mcp';

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h);
  return m?.[1];
}

/** The caller's principal, or throws 401 (recorded in mcp_auth_failures_total). */
export function authenticate(req: FastifyRequest, rbac: RbacStore, metrics: McpMetrics): Principal {
  const token = bearer(req);
  if (token === undefined) {
    metrics.authFailures.inc({ reason: 'missing' });
    const malformed = req.headers.authorization !== undefined;
    throw new HttpError(
      401,
      malformed ? 'Authorization header is not "Bearer <token>"' : 'Missing bearer token',
      {
        code: malformed ? 'invalid_token' : 'missing_token',
        headers: {
          'www-authenticate': malformed
            ? `Bearer realm="${REALM}", error="invalid_request", error_description="expected Bearer <token>"`
            : `Bearer realm="${REALM}"`,
        },
      },
    );
  }
  const principal = rbac.authenticate(token);
  if (!principal) {
    metrics.authFailures.inc({ reason: 'invalid' });
    throw new HttpError(401, 'Invalid or revoked token', {
      code: 'invalid_token',
      headers: {
        'www-authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="the token is unknown or revoked"`,
      },
    });
  }
  return principal;
}

/** 403 naming the permission the token lacks. */
export function forbidden(permission: string, what: string): HttpError {
  return new HttpError(403, `This token lacks the permission "${permission}" needed to ${what}`, {
    code: 'insufficient_permission',
    headers: {
      'www-authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${permission}"`,
    },
  });
}

/** Authenticates and checks one permission (audited under `permission`); returns the principal. */
export function requirePermission(
  req: FastifyRequest,
  rbac: RbacStore,
  metrics: McpMetrics,
  permission: string,
  what: string,
): Principal {
  const p = authenticate(req, rbac, metrics);
  if (!rbac.check(p, permission, permission)) throw forbidden(permission, what);
  return p;
}
