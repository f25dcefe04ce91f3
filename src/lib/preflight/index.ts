import fs from 'node:fs';
import type Docker from 'dockerode';
import { UserError } from '../errors.js';
import { stateRoot } from '../paths.js';
import type { SuiteSpec } from '../suite/types.js';
import { pingEngine } from '../docker/engine.js';
import { checkDisk, defaultMinFreeGb } from './disk.js';
import { checkGpu, checkModels } from './gpu.js';
import { checkPorts } from './ports.js';
import type { PreflightCheck } from './types.js';

export type { PreflightCheck } from './types.js';
export { checkPorts, ownPorts, tryListen } from './ports.js';
export { checkDisk, defaultMinFreeGb } from './disk.js';
export { checkGpu, checkModels } from './gpu.js';
export { findPortHolder } from './port-holder.js';

/** The engine answers (its unreachable error is the failure message). */
export async function checkEngine(docker: Docker): Promise<PreflightCheck> {
  try {
    const info = await pingEngine(docker);
    return { id: 'engine', ok: true, message: `Docker ${info.version} (API ${info.apiVersion})` };
  } catch (error) {
    const e = error as UserError;
    return { id: 'engine', ok: false, message: e.message, hint: e.hint };
  }
}

export interface PreflightOptions {
  readonly docker: Docker;
  /** Host ports the project's own containers hold. */
  readonly ownPorts?: ReadonlySet<number>;
  readonly minFreeGb?: number;
}

/**
 * Everything that must hold before the first container starts: engine, ports, disk, and for the GPU
 * profile the model files and a visible GPU. Runs every check (no short-circuit) so one run shows all.
 */
export async function runPreflight(suite: SuiteSpec, options: PreflightOptions): Promise<PreflightCheck[]> {
  const engine = await checkEngine(options.docker);
  if (!engine.ok) return [engine];
  let dataRoot = stateRoot();
  try {
    const info = (await options.docker.info()) as { DockerRootDir?: string };
    if (info.DockerRootDir && fs.existsSync(info.DockerRootDir)) dataRoot = info.DockerRootDir;
  } catch {
    // fall back to the state dir's file system
  }
  const checks: Promise<PreflightCheck>[] = [
    checkPorts(suite, { docker: options.docker, own: options.ownPorts }),
    checkDisk(dataRoot, options.minFreeGb ?? defaultMinFreeGb(suite.profile)),
  ];
  if (suite.profile === 'gpu') checks.push(Promise.resolve(checkModels(suite)), checkGpu());
  return [engine, ...(await Promise.all(checks))];
}

/** Throw one UserError (exit 2) naming every failed check. */
export function assertPreflight(checks: readonly PreflightCheck[]): void {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return;
  const [first] = failed;
  if (failed.length === 1 && first) {
    throw new UserError(first.message, {
      hint: first.hint,
      code: `PREFLIGHT_${first.id.toUpperCase()}`,
      details: { checks: failed },
    });
  }
  throw new UserError(`pre-flight failed:\n${failed.map((c) => `  - ${c.message}`).join('\n')}`, {
    hint: failed
      .map((c) => c.hint)
      .filter(Boolean)
      .join('\n'),
    code: 'PREFLIGHT_FAILED',
    details: { checks: failed },
  });
}
