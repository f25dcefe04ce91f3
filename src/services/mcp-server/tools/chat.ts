/** The `chat` tool: one non-streaming chat completion through the api-gateway. */
import { z } from 'zod';
import { callJson, ToolError } from './upstream.js';
import { defineTool, type ToolOutput } from './types.js';

interface Completion {
  model?: string;
  choices?: Array<{ message?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: Record<string, unknown>;
}

export const chat = defineTool({
  name: 'chat',
  title: 'Ask the suite chat model',
  description:
    'Send a prompt (and an optional system message) to the suite chat model through the api-gateway.',
  destructive: false,
  readOnly: true,
  input: {
    prompt: z.string().min(1).max(32_000).describe('the user message'),
    system: z.string().max(8000).optional().describe('an optional system message'),
    model: z.string().min(1).max(128).optional().describe('model group: "chat" (default) or "code"'),
    max_tokens: z.number().int().min(1).max(8192).optional(),
    temperature: z.number().min(0).max(2).optional(),
  },
  async run(args, ctx): Promise<ToolOutput> {
    if (!ctx.cfg.GATEWAY_API_KEY) throw new ToolError('chat is not configured: GATEWAY_API_KEY is not set');
    const messages = [
      ...(args.system ? [{ role: 'system', content: args.system }] : []),
      { role: 'user', content: args.prompt },
    ];
    const body = (await callJson(
      'POST',
      `${ctx.cfg.GATEWAY_URL}/v1/chat/completions`,
      {
        model: args.model ?? 'chat',
        messages,
        stream: false,
        ...(args.max_tokens !== undefined ? { max_tokens: args.max_tokens } : {}),
        ...(args.temperature !== undefined ? { temperature: args.temperature } : {}),
      },
      {
        service: 'api-gateway',
        timeoutMs: ctx.cfg.MCP_UPSTREAM_TIMEOUT,
        signal: ctx.signal,
        headers: { authorization: `Bearer ${ctx.cfg.GATEWAY_API_KEY}` },
      },
    )) as Completion;
    const choice = body.choices?.[0];
    const content = choice?.message?.content;
    if (typeof content !== 'string') throw new ToolError('api-gateway answered without a message content');
    return {
      text: content,
      data: {
        content,
        model: body.model ?? null,
        finish_reason: choice?.finish_reason ?? null,
        usage: body.usage ?? null,
      },
    };
  },
});
