/**
 * The authenticated HTTP API for approvers and administrators (the CLI drives the same routes):
 * approvals (`approvals:review`), tokens, roles, grants and the audit log (`rbac:admin`), and
 * `GET /whoami` for any valid token. Errors use the kit's OpenAI envelope.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, type Service } from '../kit/index.js';
import { ApprovalError, type ApprovalStatus, type ApprovalStore } from './approvals.js';
import { authenticate, requirePermission } from './auth.js';
import type { McpMetrics } from './metrics.js';
import { APPROVALS_REVIEW, KNOWN_PERMISSIONS, RBAC_ADMIN } from './permissions.js';
import { RbacError, type RbacStore } from './rbac.js';

export interface AdminDeps {
  svc: Service;
  /** Where the routes go (a child context of svc.app with its own error handler). */
  app: FastifyInstance;
  rbac: RbacStore;
  approvals: ApprovalStore;
  metrics: McpMetrics;
  allowSelfApproval: boolean;
}

/** Parses `value` with `schema` or answers 400 naming the offending field. */
function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const param = issue?.path.join('.') || undefined;
  throw new HttpError(400, `Invalid ${where}: ${param ? `${param}: ` : ''}${issue?.message ?? 'invalid'}`, {
    code: 'invalid_request',
    ...(param ? { param } : {}),
  });
}

/** Maps store errors to HTTP errors; anything else propagates (500). */
async function domain<T>(fn: () => T): Promise<T> {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RbacError || e instanceof ApprovalError)
      throw new HttpError(e.status, e.message, { code: e.code });
    throw e;
  }
}

const decision = z.object({ reason: z.string().max(1000).optional() }).strict();
const approvalParams = z.object({ id: z.string().min(1).max(64) });
const approvalQuery = z
  .object({
    status: z.enum(['pending', 'approved', 'rejected', 'expired', 'executed', 'all']).default('pending'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
const tokenBody = z
  .object({ name: z.string().min(1).max(64), roles: z.array(z.string()).max(32).default([]) })
  .strict();
const tokenParams = z.object({ id: z.coerce.number().int().positive() });
const grantBody = z.object({ role: z.string().min(1).max(64) }).strict();
const roleBody = z
  .object({
    name: z.string().min(1).max(64),
    permissions: z.array(z.string()).max(64),
    description: z.string().max(500).optional(),
  })
  .strict();
const rolePut = roleBody.omit({ name: true });
const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(10_000).default(100),
    token_id: z.coerce.number().int().positive().optional(),
  })
  .strict();

export function registerAdminApi(deps: AdminDeps): void {
  const { svc, rbac, approvals, metrics } = deps;
  const app = deps.app;
  const need = (req: FastifyRequest, perm: string, what: string) =>
    requirePermission(req, rbac, metrics, perm, what);

  app.get('/whoami', async (req) => {
    const p = authenticate(req, rbac, metrics);
    return {
      token_id: p.tokenId,
      name: p.name,
      roles: p.roles.sort(),
      permissions: [...p.permissions].sort(),
    };
  });

  // --- approvals ------------------------------------------------------------------------------
  app.get('/approvals', async (req) => {
    need(req, APPROVALS_REVIEW, 'list approvals');
    const q = parse(approvalQuery, req.query, 'query');
    const status = q.status === 'all' ? undefined : (q.status as ApprovalStatus);
    return { data: approvals.list({ status, limit: q.limit }) };
  });

  app.get('/approvals/:id', async (req) => {
    const p = authenticate(req, rbac, metrics);
    const { id } = parse(approvalParams, req.params, 'path');
    approvals.expireDue();
    const a = approvals.get(id);
    const own = a !== undefined && a.token_id === p.tokenId;
    // The requester may read its own approval; anyone else needs approvals:review. A missing id and
    // another token's id answer the same 404, so ids cannot be probed.
    const reviewer = rbac.check(
      p,
      APPROVALS_REVIEW,
      APPROVALS_REVIEW,
      own || p.permissions.has(APPROVALS_REVIEW),
    );
    if (!a || !reviewer)
      throw new HttpError(404, `No approval with id ${id}`, { code: 'approval_not_found' });
    return a;
  });

  for (const action of ['approve', 'reject'] as const) {
    app.post(`/approvals/:id/${action}`, async (req) => {
      const p = need(req, APPROVALS_REVIEW, `${action} approvals`);
      const { id } = parse(approvalParams, req.params, 'path');
      const body = parse(decision, req.body, 'body');
      const a = await domain(() =>
        action === 'approve'
          ? approvals.approve(id, p, deps.allowSelfApproval, body.reason)
          : approvals.reject(id, p, body.reason),
      );
      svc.log.info({ approval_id: id, tool: a.tool, by: p.name, action }, 'approval decided');
      return a;
    });
  }

  // --- tokens, roles, grants, audit ------------------------------------------------------------
  app.get('/admin/tokens', async (req) => {
    need(req, RBAC_ADMIN, 'list tokens');
    return { data: rbac.listTokens() };
  });

  app.post('/admin/tokens', async (req, reply) => {
    const p = need(req, RBAC_ADMIN, 'create tokens');
    const body = parse(tokenBody, req.body, 'body');
    const { token, info } = await domain(() => rbac.createToken(body.name, body.roles, p.tokenId));
    svc.log.info({ token_id: info.id, name: info.name, roles: info.roles, by: p.name }, 'token created');
    // The only time the token is ever shown; the database keeps its sha256.
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({ ...info, token });
  });

  app.delete('/admin/tokens/:id', async (req) => {
    const p = need(req, RBAC_ADMIN, 'revoke tokens');
    const { id } = parse(tokenParams, req.params, 'path');
    const info = await domain(() => rbac.revokeToken(id));
    svc.log.info({ token_id: id, by: p.name }, 'token revoked');
    return info;
  });

  app.post('/admin/tokens/:id/roles', async (req) => {
    const p = need(req, RBAC_ADMIN, 'grant roles');
    const { id } = parse(tokenParams, req.params, 'path');
    const { role } = parse(grantBody, req.body, 'body');
    const info = await domain(() => rbac.grant(id, role, p.tokenId));
    svc.log.info({ token_id: id, role, by: p.name }, 'role granted');
    return info;
  });

  app.delete('/admin/tokens/:id/roles/:role', async (req) => {
    const p = need(req, RBAC_ADMIN, 'revoke roles');
    const { id } = parse(tokenParams, req.params, 'path');
    const { role } = parse(grantBody, { role: (req.params as { role?: string }).role }, 'path');
    const info = await domain(() => rbac.ungrant(id, role));
    svc.log.info({ token_id: id, role, by: p.name }, 'role revoked');
    return info;
  });

  app.get('/admin/roles', async (req) => {
    need(req, RBAC_ADMIN, 'list roles');
    return { data: rbac.listRoles(), permissions: KNOWN_PERMISSIONS };
  });

  app.post('/admin/roles', async (req, reply) => {
    const p = need(req, RBAC_ADMIN, 'create roles');
    const b = parse(roleBody, req.body, 'body');
    const role = await domain(() => rbac.putRole(b.name, b.permissions, b.description, false));
    svc.log.info({ role: role.name, permissions: role.permissions, by: p.name }, 'role created');
    return reply.code(201).send(role);
  });

  app.put('/admin/roles/:name', async (req) => {
    const p = need(req, RBAC_ADMIN, 'change roles');
    const name = String((req.params as { name?: string }).name);
    const b = parse(rolePut, req.body, 'body');
    const role = await domain(() => rbac.putRole(name, b.permissions, b.description, true));
    svc.log.info({ role: role.name, permissions: role.permissions, by: p.name }, 'role changed');
    return role;
  });

  app.delete('/admin/roles/:name', async (req, reply) => {
    const p = need(req, RBAC_ADMIN, 'delete roles');
    const name = String((req.params as { name?: string }).name);
    await domain(() => rbac.deleteRole(name));
    svc.log.info({ role: name, by: p.name }, 'role deleted');
    return reply.code(204).send();
  });

  app.get('/admin/audit', async (req) => {
    need(req, RBAC_ADMIN, 'read the audit log');
    const q = parse(auditQuery, req.query, 'query');
    return { data: rbac.audit({ limit: q.limit, tokenId: q.token_id }) };
  });
}
