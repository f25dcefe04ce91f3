import { HttpError } from '../kit/index.js';
import type { RouterConfig } from './config.js';

export interface RouteDecision {
  /** The model group that serves (first choice). */
  group: string;
  /** Why: `model` (asked by name) or `code-pattern` (a chat prompt that looks like code). */
  reason: 'model' | 'code-pattern';
}

function lastUserText(body: Record<string, unknown>): string {
  if (typeof body.prompt === 'string') return body.prompt;
  if (!Array.isArray(body.messages)) return '';
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i] as { role?: unknown; content?: unknown } | null;
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) {
      return m.content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('\n');
    }
    return '';
  }
  return '';
}

/**
 * Picks the model group for a request. The rule, explicit and configurable: a request for `chat`
 * whose last user message matches ROUTER_CODE_PATTERN goes to `code`; every other model name must
 * be a configured group (404 model_not_found otherwise).
 */
export function routeRequest(
  model: string,
  body: Record<string, unknown>,
  cfg: RouterConfig,
  groups: ReadonlySet<string>,
): RouteDecision {
  if (!groups.has(model)) {
    throw new HttpError(
      404,
      `The model \`${model}\` does not exist; available model groups: ${[...groups].join(', ')}`,
      {
        type: 'invalid_request_error',
        code: 'model_not_found',
        param: 'model',
      },
    );
  }
  const cr = cfg.codeRouting;
  if (cr.enabled && model === cr.from && groups.has(cr.target) && cr.pattern.test(lastUserText(body))) {
    return { group: cr.target, reason: 'code-pattern' };
  }
  return { group: model, reason: 'model' };
}

/** The group followed by its fallbacks, in order, without repeats. */
export function fallbackChain(group: string, cfg: RouterConfig): string[] {
  return [...new Set([group, ...(cfg.fallbacks[group] ?? [])])];
}
