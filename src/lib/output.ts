/** Output decisions in one place: colour and the listr2 renderer are chosen by pure functions. */
export interface OutputEnvironment {
  json?: boolean;
  quiet?: boolean;
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

function truthyEnv(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Colour only when stdout is a TTY and neither NO_COLOR nor --json asks otherwise. */
export function useColor({ json, isTTY, env = process.env }: OutputEnvironment): boolean {
  if (json) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (truthyEnv(env.FORCE_COLOR)) return true;
  return Boolean(isTTY) && env.TERM !== 'dumb';
}

export type RendererName = 'silent' | 'test' | 'verbose' | 'default';

/**
 * listr2 renderer: --json/quiet -> silent, under vitest -> test, CI / no colour / no TTY -> verbose
 * (line by line), otherwise the default interactive renderer.
 */
export function chooseRenderer({ json, quiet, isTTY, env = process.env }: OutputEnvironment): RendererName {
  if (json || quiet) return 'silent';
  if (env.VITEST !== undefined && env.AISUITE_RENDERER === undefined) return 'test';
  const forced = env.AISUITE_RENDERER;
  if (forced === 'verbose' || forced === 'default' || forced === 'silent') return forced;
  if (
    truthyEnv(env.CI) ||
    !isTTY ||
    (env.NO_COLOR !== undefined && env.NO_COLOR !== '') ||
    env.TERM === 'dumb'
  ) {
    return 'verbose';
  }
  return 'default';
}
