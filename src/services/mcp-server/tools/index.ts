import type { ToolDef } from './types.js';
import { chat } from './chat.js';
import { suiteHealth } from './health.js';
import { ragDeleteCollection, ragIndex, ragListCollections, ragQuery } from './rag.js';

export { ToolError } from './upstream.js';
export type { ToolContext, ToolDef, ToolOutput } from './types.js';

/** Every tool, in the order tools/list shows them. */
export const TOOLS: readonly ToolDef[] = [
  ragQuery,
  ragIndex,
  ragListCollections,
  ragDeleteCollection,
  chat,
  suiteHealth,
] as unknown as readonly ToolDef[];
