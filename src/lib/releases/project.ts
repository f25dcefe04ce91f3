import { loadConfig } from '../config/load.js';

/** The project a state command acts on: --project, else aisuite.yaml's `project`, else "aisuite". */
export async function resolveProject(flags: { project?: string; config?: string }): Promise<string> {
  if (flags.project) return flags.project;
  const { config } = await loadConfig(flags.config);
  return config.project ?? 'aisuite';
}
