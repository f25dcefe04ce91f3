import fs from 'node:fs';
import type Docker from 'dockerode';
import { UserError } from '../errors.js';
import { stateRoot } from '../paths.js';
import type { SuiteSpec } from '../suite/types.js';
import { pingEngine, type EngineInfo } from '../docker/engine.js';
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
    return engineCheck(await pingEngine(docker));
  } catch (error) {
    const e = error as UserError;
    return { id: 'engine', ok: false, message: e.message, hint: e.hint };
  }
}

function engineCheck(info: EngineInfo): PreflightCheck {
  return { id: 'engine', ok: true, message: `Docker ${info.version} (API ${info.apiVersion})` };
}

export interface PreflightOptions {
  readonly docker: Docker;
  /** The engine's answer when the caller already asked (no second round trip). */
  readonly engine?: EngineInfo;
  /** Host ports the project's own containers hold. */
  readonly ownPorts?: ReadonlySet<number>;
  readonly minFreeGb?: number;
}

/**
 * Everything that must hold before the first container starts: engine, ports, disk, and for the GPU
 * profile the model files and a visible GPU. Runs every check (no short-circuit) so one run shows all.
 */
export async function runPreflight(suite: SuiteSpec, options: PreflightOptions): Promise<PreflightCheck[]> {
  // Docker's data root (for the disk check) is asked for while the engine check runs
  const dockerRoot = options.docker.info().then(
    (info) => (info as { DockerRootDir?: string }).DockerRootDir,
    () => undefined,
  );
  const engine = options.engine ? engineCheck(options.engine) : await checkEngine(options.docker);
  if (!engine.ok) return [engine];
  const root = await dockerRoot;
  // else the state dir's file system
  const dataRoot = root && fs.existsSync(root) ? root : stateRoot();
  const checks: Promise<PreflightCheck>[] = [
    checkPorts(suite, { docker: options.docker, own: options.ownPorts }),
    checkDisk(dataRoot, options.minFreeGb ?? defaultMinFreeGb(suite.profile)),
  ];
  if (suite.profile === 'gpu') checks.push(Promise.resolve(checkModels(suite)), checkGpu());
  return [engine, ...(await Promise.all(checks))];
}

/**
 * Throw one UserError (exit 2) naming every failed check; `details` go into the error's details beside
 * the failed checks (a dry run's plan).
 */
export function assertPreflight(
  checks: readonly PreflightCheck[],
  details: Record<string, unknown> = {},
): void {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return;
  const [first] = failed;
  if (failed.length === 1 && first) {
    throw new UserError(first.message, {
      hint: first.hint,
      code: `PREFLIGHT_${first.id.toUpperCase()}`,
      details: { checks: failed, ...details },
    });
  }
  throw new UserError(`pre-flight failed:\n${failed.map((c) => `  - ${c.message}`).join('\n')}`, {
    hint: failed
      .map((c) => c.hint)
      .filter(Boolean)
      .join('\n'),
    code: 'PREFLIGHT_FAILED',
    details: { checks: failed, ...details },
  });
}
