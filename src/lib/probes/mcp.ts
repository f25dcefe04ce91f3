import { describeNetworkError } from './errors.js';
import { fail, pass, type McpProbeSpec, type Probe, type ProbeContext, type ProbeOutcome } from './types.js';

/** MCP probe: the SDK's own client over Streamable HTTP lists tools (and optionally calls one). */
export class McpProbe implements Probe {
  readonly kind = 'mcp';
  constructor(private readonly spec: McpProbeSpec) {}

  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const { spec } = this;
    // the SDK is loaded only when an MCP check runs (CLI start-up stays fast)
    const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    ]);
    const transport = new StreamableHTTPClientTransport(new URL(spec.url), {
      requestInit: spec.token ? { headers: { authorization: `Bearer ${spec.token}` } } : {},
    });
    const client = new Client({ name: 'aisuite-checklist', version: '1' });
    try {
      await client.connect(transport, { signal: ctx.signal });
      const { tools } = await client.listTools(undefined, { signal: ctx.signal });
      const names = tools.map((t) => t.name);
      const missing = (spec.expectTools ?? []).filter((t) => !names.includes(t));
      const observed = { tools: names };
      if (missing.length > 0)
        return fail(`tools missing: ${missing.join(', ')} (listed: ${names.join(', ')})`, observed);
      if (spec.call) {
        const result = await client.callTool(
          { name: spec.call.name, arguments: { ...spec.call.arguments } },
          undefined,
          { signal: ctx.signal },
        );
        if (result.isError) {
          const text = (result.content as { type: string; text?: string }[])
            .map((c) => c.text ?? '')
            .join(' ')
            .slice(0, 200);
          return fail(`tool ${spec.call.name} returned an error: ${text}`, observed);
        }
        return pass(`${names.length} tools listed; ${spec.call.name} answered`, observed);
      }
      return pass(`${names.length} tools listed`, observed);
    } catch (error) {
      return fail(`MCP ${spec.url}: ${describeNetworkError(error)}`);
    } finally {
      await client.close().catch(() => undefined);
    }
  }
}
