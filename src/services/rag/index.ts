import type { RunningService } from '../kit/index.js';

/** Placeholder while the service is being written (replaced in the next commits). */
export async function start(_env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  throw new Error('rag: not implemented yet');
}
