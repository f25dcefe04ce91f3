import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { AisuiteConfig } from '../config/schema.js';
import { projectStateDir } from '../paths.js';

/** The secrets file for the given flags: --secrets-file, then aisuite.yaml, then the project's state dir. */
export async function resolveSecretsFile(flags: SecretsFlags): Promise<string> {
  if (flags['secrets-file']) return path.resolve(flags['secrets-file']);
  const { config } = await loadConfig(flags.config);
  return secretsFilePath(flags, config);
}

type SecretsFlags = { config?: string; project?: string; 'secrets-file'?: string };

/** Where the secrets file is, from flags and an already loaded config. */
export function secretsFilePath(
  flags: SecretsFlags,
  config: AisuiteConfig,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flags['secrets-file']) return path.resolve(flags['secrets-file']);
  if (config.secretsFile) return config.secretsFile;
  return path.join(projectStateDir(flags.project ?? config.project ?? 'aisuite', env), 'secrets.env');
}
