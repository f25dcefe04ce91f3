/**
 * `/mcp`: Streamable HTTP, stateless. Each POST is checked (Host header, bearer token, and RBAC for
 * every `tools/call` in it) and then handed with its parsed body to a fresh McpServer + transport
 * that only carries the tools the token may call. Stateless keeps nothing per client in memory, so a
 * restart or a second replica never strands a session (docs/MCP.md, "Why stateless").
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../kit/index.js';
import { authenticate, forbidden } from './auth.js';
import type { McpMetrics } from './metrics.js';
import { mayCallTool, toolPermission } from './permissions.js';
import type { Principal, RbacStore } from './rbac.js';
import type { ToolRunner } from './tool-runner.js';
import { TOOLS, type ToolDef } from './tools/index.js';

export interface EndpointDeps {
  /** Where the routes go (a child context of the service's app with its own error handler). */
  app: FastifyInstance;
  rbac: RbacStore;
  metrics: McpMetrics;
  runner: ToolRunner;
  version: string;
  /** Host header values accepted (DNS-rebinding protection); read per request (port 0 resolves at listen). */
  allowedHosts: () => string[];
}

const BY_NAME = new Map(TOOLS.map((t) => [t.name as string, t]));

const INSTRUCTIONS =
  'Tools of the aisuite deployment: search and index the knowledge base (rag_*), ask the chat model (chat), ' +
  'check the suite (suite_health). Destructive tools return a pending approval id first; call them again ' +
  'with approval_id once an approver has approved. Rate-limited calls say when to retry.';

function checkHost(req: FastifyRequest, allowed: string[]): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowed.includes(host))
    throw new HttpError(403, `Host "${req.headers.host ?? ''}" is not allowed (MCP_ALLOWED_HOSTS)`, {
      code: 'invalid_host',
    });
}

/** The tools/call names in a JSON-RPC message or batch. */
function calledTools(body: unknown): string[] {
  const msgs = Array.isArray(body) ? body : [body];
  return msgs.flatMap((m) => {
    const msg = m as { method?: unknown; params?: { name?: unknown } } | null;
    return msg?.method === 'tools/call' && typeof msg.params?.name === 'string' ? [msg.params.name] : [];
  });
}

// Built once: a server per request must not pay for a new Ajv instance (~3 ms each) or new schemas.
const VALIDATOR = new AjvJsonSchemaValidator();
const APPROVAL_ID = z
  .string()
  .min(1)
  .max(64)
  .optional()
  .describe('the approval id returned by the first call, once an approver has approved it');
const SHAPES = new Map(
  TOOLS.map((t) => [t.name, t.destructive ? { ...t.input, approval_id: APPROVAL_ID } : t.input]),
);

/**
 * Builds the server for one request. `publicUrl` is this server as the client reached it (the Host it
 * sent, already checked against MCP_ALLOWED_HOSTS): in a container, the address it listens on (port
 * 8080) is not the one a client on the host uses.
 */
function buildServer(deps: EndpointDeps, principal: Principal, publicUrl: string): McpServer {
  const server = new McpServer(
    { name: 'aisuite-mcp-server', version: deps.version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator: VALIDATOR },
  );
  for (const def of TOOLS) {
    if (!mayCallTool(principal.permissions, def.name)) continue;
    register(server, def, deps.runner, principal, publicUrl);
  }
  return server;
}

function register(
  server: McpServer,
  def: ToolDef,
  runner: ToolRunner,
  principal: Principal,
  publicUrl: string,
): void {
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: SHAPES.get(def.name),
      annotations: {
        title: def.title,
        readOnlyHint: def.readOnly,
        destructiveHint: def.destructive,
        openWorldHint: false,
      },
    },
    (args: Record<string, unknown>, extra) => runner.run(def, args, principal, extra.signal, publicUrl),
  );
}

export function registerMcpEndpoint(deps: EndpointDeps): void {
  const { rbac, metrics } = deps;

  deps.app.post('/mcp', async (req: FastifyRequest, reply: FastifyReply) => {
    checkHost(req, deps.allowedHosts());
    const principal = authenticate(req, rbac, metrics);
    // RBAC before the SDK sees the request: a denied call is answered 403 and never reaches a tool.
    // Unknown tool names are left to the SDK, which answers "Tool x not found" as a tool error.
    const denied = calledTools(req.body)
      .filter((name) => BY_NAME.has(name))
      .filter(
        (name) =>
          !rbac.check(principal, toolPermission(name), name, mayCallTool(principal.permissions, name)),
      );
    if (denied[0] !== undefined) throw forbidden(toolPermission(denied[0]), `call the tool ${denied[0]}`);

    const server = buildServer(deps, principal, `http://${req.headers.host ?? ''}`);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      enableDnsRebindingProtection: true,
      allowedHosts: deps.allowedHosts(),
    });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      const raw = Object.assign(req.raw, {
        auth: { token: '', clientId: principal.name, scopes: [...principal.permissions] },
      });
      await transport.handleRequest(raw, reply.raw, req.body);
    } catch (e) {
      req.log.error({ err: e }, 'mcp request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }),
        );
      }
    }
  });

  // Stateless: no server-to-client stream and no session to delete.
  const notAllowed = async (req: FastifyRequest): Promise<never> => {
    checkHost(req, deps.allowedHosts());
    throw new HttpError(405, `${req.method} /mcp is not supported: this server is stateless, use POST`, {
      code: 'method_not_allowed',
      headers: { allow: 'POST' },
    });
  };
  deps.app.get('/mcp', notAllowed);
  deps.app.delete('/mcp', notAllowed);
}
