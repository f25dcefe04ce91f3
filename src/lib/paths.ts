import os from 'node:os';
import path from 'node:path';

/** Root of aisuite's state (releases, secrets, lock, audit log): `$AISUITE_STATE_DIR` or the XDG state dir. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AISUITE_STATE_DIR) return path.resolve(env.AISUITE_STATE_DIR);
  const xdg = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : undefined;
  return path.join(xdg ?? path.join(os.homedir(), '.local', 'state'), 'aisuite');
}

/** Per-project state directory. */
export function projectStateDir(project: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateRoot(env), project);
}

/** Default models directory for the GPU profile. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : undefined;
  return path.join(xdg ?? path.join(os.homedir(), '.local', 'share'), 'aisuite', 'models');
}

/** The package root (where package.json, templates/ and assets/ live), from a module inside dist/ or src/. */
export function packageRoot(): string {
  // this file is dist/lib/paths.js or src/lib/paths.ts: two levels up either way
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
}
