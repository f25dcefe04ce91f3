import type { ZodRawShape, z } from 'zod';
import type { McpServerConfig } from '../config.js';
import type { ToolName } from '../permissions.js';

/** What a tool returns: a text for the model and the same data as structured content. */
export interface ToolOutput {
  text: string;
  data: Record<string, unknown>;
}

export interface ToolContext {
  cfg: McpServerConfig;
  signal: AbortSignal;
  /** Base health URLs for suite_health (resolved once at start). */
  healthTargets: ReadonlyMap<string, string>;
}

export interface ToolDef<S extends ZodRawShape = ZodRawShape> {
  name: ToolName;
  title: string;
  description: string;
  /** Destructive tools wait for an approver (docs/MCP.md, "Approvals"). */
  destructive: boolean;
  readOnly: boolean;
  input: S;
  run(args: z.infer<z.ZodObject<S>>, ctx: ToolContext): Promise<ToolOutput>;
}

/** Keeps the argument type of `run` tied to the tool's own input shape. */
export const defineTool = <S extends ZodRawShape>(def: ToolDef<S>): ToolDef<S> => def;

/** The usual output: pretty JSON text plus structured content. */
export function jsonOutput(data: Record<string, unknown>, summary?: string): ToolOutput {
  const json = JSON.stringify(data, null, 2);
  return { text: summary ? `${summary}\n${json}` : json, data };
}
