/**
 * Permission names. A role holds a set of them; a token holds the union of its roles'. Nothing is
 * allowed unless a permission names it (deny by default).
 */

/** Every tool the server offers (tool permissions are `tool:<name>`). */
export const TOOL_NAMES = [
  'rag_query',
  'rag_index',
  'rag_list_collections',
  'rag_delete_collection',
  'chat',
  'suite_health',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Approve or reject pending approvals, list every approval. */
export const APPROVALS_REVIEW = 'approvals:review';
/** Create tokens and roles, grant roles, read the audit log. */
export const RBAC_ADMIN = 'rbac:admin';
/** Every tool, present and future. */
export const ALL_TOOLS = 'tool:*';

export const toolPermission = (tool: string): string => `tool:${tool}`;

/** True when `perm` is a permission this server knows (roles may only hold these). */
export function isKnownPermission(perm: string): boolean {
  if (perm === APPROVALS_REVIEW || perm === RBAC_ADMIN || perm === ALL_TOOLS) return true;
  return perm.startsWith('tool:') && (TOOL_NAMES as readonly string[]).includes(perm.slice(5));
}

export const KNOWN_PERMISSIONS: readonly string[] = [
  ALL_TOOLS,
  ...TOOL_NAMES.map(toolPermission),
  APPROVALS_REVIEW,
  RBAC_ADMIN,
];

export function mayCallTool(perms: ReadonlySet<string>, tool: string): boolean {
  return perms.has(ALL_TOOLS) || perms.has(toolPermission(tool));
}

/** Roles created on first start (operators may edit or delete them; they are not re-created). */
export const DEFAULT_ROLES: ReadonlyArray<{ name: string; description: string; permissions: string[] }> = [
  {
    name: 'reader',
    description: 'query the knowledge base and see suite health',
    permissions: ['tool:rag_query', 'tool:rag_list_collections', 'tool:suite_health'],
  },
  {
    name: 'agent',
    description: 'every tool; destructive ones still wait for an approver',
    permissions: [ALL_TOOLS],
  },
  {
    name: 'approver',
    description: 'approve or reject destructive tool calls',
    permissions: [APPROVALS_REVIEW],
  },
];

/** The bootstrap role of MCP_ADMIN_TOKEN; re-asserted at every start, not editable through the API. */
export const ADMIN_ROLE = { name: 'admin', permissions: [ALL_TOOLS, APPROVALS_REVIEW, RBAC_ADMIN] };
