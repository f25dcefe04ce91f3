/**
 * Tokens, roles, grants and the audit log in SQLite. Tokens are stored as sha256 digests only; a
 * new token is shown once, when it is created. Every permission check writes an audit row and
 * counts in `rbac_permission_checks_total`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { statementCache, type Db } from './db.js';
import type { McpMetrics } from './metrics.js';
import { ADMIN_ROLE, DEFAULT_ROLES, isKnownPermission } from './permissions.js';

export interface Principal {
  tokenId: number;
  name: string;
  roles: string[];
  permissions: ReadonlySet<string>;
}

export interface TokenInfo {
  id: number;
  name: string;
  roles: string[];
  created_at: string;
  revoked_at: string | null;
  bootstrap: boolean;
}

export interface RoleInfo {
  name: string;
  description: string;
  permissions: string[];
  created_at: string;
}

export interface AuditRow {
  id: number;
  at: string;
  token_id: number | null;
  token_name: string | null;
  tool: string;
  result: 'allowed' | 'denied';
  detail: string | null;
}

/** A domain error the HTTP layer maps to a status (400 bad input, 404 unknown, 409 conflict). */
export class RbacError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class RbacStore {
  private readonly sql: ReturnType<typeof statementCache>;

  constructor(
    private readonly db: Db,
    private readonly metrics: McpMetrics,
    private readonly now: () => number = Date.now,
  ) {
    this.sql = statementCache(db);
  }

  /**
   * Makes `adminToken` the bootstrap `admin` token (rotating the stored digest when the secret
   * changed), re-asserts the admin role, and creates the default roles on first start.
   */
  bootstrap(adminToken: string): void {
    const db = this.db;
    db.transaction(() => {
      const t = this.now();
      const digest = sha256Hex(adminToken);
      const existing = this.sql('SELECT id FROM tokens WHERE bootstrap = 1').get() as
        { id: number } | undefined;
      // An operator who made an issued token the admin secret: that token row gives way (revoked).
      this.sql(
        'UPDATE tokens SET revoked_at = ?, token_sha256 = ? WHERE token_sha256 = ? AND bootstrap = 0',
      ).run(t, sha256Hex(`revoked:${randomBytes(16).toString('hex')}`), digest);
      let adminId: number;
      if (existing) {
        this.sql('UPDATE tokens SET token_sha256 = ?, revoked_at = NULL WHERE id = ?').run(
          digest,
          existing.id,
        );
        adminId = existing.id;
      } else {
        const name = this.sql("SELECT 1 FROM tokens WHERE name = 'admin'").get() ? `admin-${t}` : 'admin';
        adminId = Number(
          db
            .prepare('INSERT INTO tokens (name, token_sha256, created_at, bootstrap) VALUES (?, ?, ?, 1)')
            .run(name, digest, t).lastInsertRowid,
        );
      }
      const roleId = this.upsertRole(ADMIN_ROLE.name, 'bootstrap role of MCP_ADMIN_TOKEN: everything', t);
      this.sql('DELETE FROM role_permissions WHERE role_id = ?').run(roleId);
      for (const p of ADMIN_ROLE.permissions)
        this.sql('INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)').run(roleId, p);
      this.sql('INSERT OR IGNORE INTO token_roles (token_id, role_id, granted_at) VALUES (?, ?, ?)').run(
        adminId,
        roleId,
        t,
      );
      if (!this.sql("SELECT 1 FROM meta WHERE key = 'default_roles_seeded'").get()) {
        for (const r of DEFAULT_ROLES) {
          if (this.sql('SELECT 1 FROM roles WHERE name = ?').get(r.name)) continue;
          const id = this.upsertRole(r.name, r.description, t);
          for (const p of r.permissions)
            this.sql('INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)').run(id, p);
        }
        this.sql("INSERT INTO meta (key, value) VALUES ('default_roles_seeded', ?)").run(String(t));
      }
    }).immediate();
  }

  private upsertRole(name: string, description: string, t: number): number {
    this.sql(
      'INSERT INTO roles (name, description, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING',
    ).run(name, description, t);
    return (this.sql('SELECT id FROM roles WHERE name = ?').get(name) as { id: number }).id;
  }

  /** The principal of a presented bearer token, or undefined when it is unknown or revoked. */
  authenticate(token: string): Principal | undefined {
    const rows = this.sql(
      `SELECT t.id, t.name, r.name AS role, rp.permission
           FROM tokens t
           LEFT JOIN token_roles tr ON tr.token_id = t.id
           LEFT JOIN roles r ON r.id = tr.role_id
           LEFT JOIN role_permissions rp ON rp.role_id = r.id
          WHERE t.token_sha256 = ? AND t.revoked_at IS NULL`,
    ).all(sha256Hex(token)) as Array<{
      id: number;
      name: string;
      role: string | null;
      permission: string | null;
    }>;
    const first = rows[0];
    if (!first) return undefined;
    const roles = new Set<string>();
    const permissions = new Set<string>();
    for (const r of rows) {
      if (r.role) roles.add(r.role);
      if (r.permission) permissions.add(r.permission);
    }
    return { tokenId: first.id, name: first.name, roles: [...roles], permissions };
  }

  /** Records a permission decision (audit row + metric) and returns it. */
  record(principal: Principal | undefined, tool: string, allowed: boolean, detail?: string): boolean {
    const result = allowed ? 'allowed' : 'denied';
    this.sql('INSERT INTO audit (at, token_id, tool, result, detail) VALUES (?, ?, ?, ?, ?)').run(
      this.now(),
      principal?.tokenId ?? null,
      tool,
      result,
      detail ?? null,
    );
    this.metrics.permissionChecks.inc({ result, tool });
    return allowed;
  }

  /** Checks `permission` for `principal`, audits it under `label` (a tool name or the permission). */
  check(principal: Principal, permission: string, label: string, allowed?: boolean): boolean {
    return this.record(principal, label, allowed ?? principal.permissions.has(permission));
  }

  createToken(name: string, roles: string[], grantedBy: number): { token: string; info: TokenInfo } {
    if (!NAME.test(name))
      throw new RbacError(400, `invalid token name "${name}" (use ${NAME.source})`, 'invalid_name');
    const token = `mcp_${randomBytes(32).toString('base64url')}`;
    const db = this.db;
    const id = db
      .transaction(() => {
        if (this.sql('SELECT 1 FROM tokens WHERE name = ?').get(name))
          throw new RbacError(409, `a token named "${name}" already exists`, 'token_exists');
        const roleIds = roles.map((r) => this.roleId(r));
        const t = this.now();
        const tokenId = Number(
          db
            .prepare('INSERT INTO tokens (name, token_sha256, created_at) VALUES (?, ?, ?)')
            .run(name, sha256Hex(token), t).lastInsertRowid,
        );
        for (const rid of roleIds)
          this.sql(
            'INSERT INTO token_roles (token_id, role_id, granted_at, granted_by) VALUES (?, ?, ?, ?)',
          ).run(tokenId, rid, t, grantedBy);
        return tokenId;
      })
      .immediate();
    return { token, info: this.token(id) };
  }

  private roleId(name: string): number {
    const row = this.sql('SELECT id FROM roles WHERE name = ?').get(name) as { id: number } | undefined;
    if (!row) throw new RbacError(404, `no role named "${name}"`, 'role_not_found');
    return row.id;
  }

  private tokenRow(id: number): { id: number; bootstrap: number } {
    const row = this.sql('SELECT id, bootstrap FROM tokens WHERE id = ?').get(id) as
      { id: number; bootstrap: number } | undefined;
    if (!row) throw new RbacError(404, `no token with id ${id}`, 'token_not_found');
    return row;
  }

  token(id: number): TokenInfo {
    const info = this.listTokens().find((t) => t.id === id);
    if (!info) throw new RbacError(404, `no token with id ${id}`, 'token_not_found');
    return info;
  }

  listTokens(): TokenInfo[] {
    const rows = this.sql(
      `SELECT t.id, t.name, t.created_at, t.revoked_at, t.bootstrap, group_concat(r.name) AS roles
           FROM tokens t LEFT JOIN token_roles tr ON tr.token_id = t.id LEFT JOIN roles r ON r.id = tr.role_id
          GROUP BY t.id ORDER BY t.id`,
    ).all() as Array<{
      id: number;
      name: string;
      created_at: number;
      revoked_at: number | null;
      bootstrap: number;
      roles: string | null;
    }>;
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      roles: r.roles ? r.roles.split(',').sort() : [],
      created_at: iso(r.created_at) as string,
      revoked_at: iso(r.revoked_at),
      bootstrap: r.bootstrap === 1,
    }));
  }

  /** Revokes a token (kept for the audit trail); the bootstrap token is rotated through its secret instead. */
  revokeToken(id: number): TokenInfo {
    if (this.tokenRow(id).bootstrap)
      throw new RbacError(
        400,
        'the bootstrap admin token is rotated by changing MCP_ADMIN_TOKEN',
        'bootstrap_token',
      );
    this.sql('UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(this.now(), id);
    return this.token(id);
  }

  grant(tokenId: number, role: string, grantedBy: number): TokenInfo {
    this.tokenRow(tokenId);
    this.sql(
      'INSERT OR IGNORE INTO token_roles (token_id, role_id, granted_at, granted_by) VALUES (?, ?, ?, ?)',
    ).run(tokenId, this.roleId(role), this.now(), grantedBy);
    return this.token(tokenId);
  }

  ungrant(tokenId: number, role: string): TokenInfo {
    if (this.tokenRow(tokenId).bootstrap && role === ADMIN_ROLE.name)
      throw new RbacError(400, 'the bootstrap token keeps the admin role', 'bootstrap_token');
    this.sql('DELETE FROM token_roles WHERE token_id = ? AND role_id = ?').run(tokenId, this.roleId(role));
    return this.token(tokenId);
  }

  /** Creates a role, or (replace=true) replaces its permissions and description. */
  putRole(name: string, permissions: string[], description: string | undefined, replace: boolean): RoleInfo {
    if (!NAME.test(name))
      throw new RbacError(400, `invalid role name "${name}" (use ${NAME.source})`, 'invalid_name');
    if (name === ADMIN_ROLE.name) throw new RbacError(400, 'the admin role is fixed', 'admin_role');
    const unknown = permissions.filter((p) => !isKnownPermission(p));
    if (unknown.length > 0)
      throw new RbacError(400, `unknown permission(s): ${unknown.join(', ')}`, 'unknown_permission');
    const db = this.db;
    db.transaction(() => {
      const exists = this.sql('SELECT id FROM roles WHERE name = ?').get(name) as { id: number } | undefined;
      if (exists && !replace) throw new RbacError(409, `role "${name}" already exists`, 'role_exists');
      if (!exists && replace) throw new RbacError(404, `no role named "${name}"`, 'role_not_found');
      const id = this.upsertRole(name, description ?? '', this.now());
      if (description !== undefined)
        this.sql('UPDATE roles SET description = ? WHERE id = ?').run(description, id);
      this.sql('DELETE FROM role_permissions WHERE role_id = ?').run(id);
      for (const p of new Set(permissions))
        this.sql('INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)').run(id, p);
    }).immediate();
    return this.role(name);
  }

  deleteRole(name: string): void {
    if (name === ADMIN_ROLE.name) throw new RbacError(400, 'the admin role is fixed', 'admin_role');
    this.sql('DELETE FROM roles WHERE id = ?').run(this.roleId(name));
  }

  role(name: string): RoleInfo {
    const info = this.listRoles().find((r) => r.name === name);
    if (!info) throw new RbacError(404, `no role named "${name}"`, 'role_not_found');
    return info;
  }

  listRoles(): RoleInfo[] {
    const rows = this.sql(
      `SELECT r.name, r.description, r.created_at, group_concat(rp.permission) AS permissions
           FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id GROUP BY r.id ORDER BY r.name`,
    ).all() as Array<{ name: string; description: string; created_at: number; permissions: string | null }>;
    return rows.map((r) => ({
      name: r.name,
      description: r.description,
      permissions: r.permissions ? r.permissions.split(',').sort() : [],
      created_at: iso(r.created_at) as string,
    }));
  }

  audit(opts: { limit: number; tokenId?: number }): AuditRow[] {
    const rows = this.sql(
      `SELECT a.id, a.at, a.token_id, t.name AS token_name, a.tool, a.result, a.detail
           FROM audit a LEFT JOIN tokens t ON t.id = a.token_id
          WHERE (? IS NULL OR a.token_id = ?) ORDER BY a.id DESC LIMIT ?`,
    ).all(opts.tokenId ?? null, opts.tokenId ?? null, opts.limit) as Array<
      Omit<AuditRow, 'at'> & { at: number }
    >;
    return rows.map((r) => ({ ...r, at: iso(r.at) as string }));
  }

  /** Deletes audit rows older than `retentionMs`; returns how many. */
  pruneAudit(retentionMs: number): number {
    return this.sql('DELETE FROM audit WHERE at < ?').run(this.now() - retentionMs).changes;
  }
}
