import type Docker from 'dockerode';
import { appendAudit } from '../audit/audit.js';
import type { ApplyResult } from '../docker/apply.js';
import { compareStrings } from '../compare.js';
import { AisuiteError, UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { RendererName } from '../output.js';
import { applyRelease, checkReleaseImages, missingImagesError } from './apply-release.js';
import { describeChecklistFailure, postDeployChecklist } from './checklist.js';
import { markDeployed } from './record.js';
import { currentRelease, previousGoodRelease, sortByDeployment } from './select.js';
import { corruptStateError, listReleases, readRelease } from './store.js';
import type { ReleaseChecklist, ReleaseRecord } from './types.js';

export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

export interface RollbackOptions {
  readonly project: string;
  /** Target release; default the last good release before the current one. */
  readonly tag?: string;
  /** Run the post-deploy checklist after applying (default true). */
  readonly checklist?: boolean;
  /** Restore the release we started from when the target fails (default true). */
  readonly autoRevert?: boolean;
  readonly docker?: Docker;
  readonly signal?: AbortSignal;
  readonly renderer?: RendererName;
  readonly waitTimeoutSeconds?: number;
  readonly checklistDeadlineSeconds?: number;
  readonly preflight?: boolean;
  readonly reporter: Reporter;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RollbackResult {
  readonly project: string;
  readonly from: string | null;
  readonly to: string;
  readonly status: 'rolled-back' | 'reverted' | 'failed';
  readonly checklist: ReleaseChecklist;
  readonly services: readonly { name: string; action: string; state: string }[];
  readonly warnings: readonly string[];
  readonly elapsedMs: number;
}

/** Find the target release and refuse, before touching anything, when it cannot be trusted or applied. */
export async function resolveRollbackTarget(
  project: string,
  tag: string | undefined,
  env?: NodeJS.ProcessEnv,
): Promise<{ target: ReleaseRecord; current: ReleaseRecord | undefined; passedOver: readonly string[] }> {
  const { records, corrupt } = await listReleases(project, env);
  const current = currentRelease(records);
  if (tag !== undefined) {
    const read = await readRelease(project, tag, env);
    if (!read) {
      throw new UserError(`project ${project} has no release ${JSON.stringify(tag)}`, {
        code: 'RELEASE_NOT_FOUND',
        hint:
          records.length > 0
            ? `Nothing was changed. Known releases: ${records.map((r) => r.tag).join(', ')}`
            : 'Nothing was changed. No release is recorded yet: releases are recorded by `aisuite up`.',
      });
    }
    if (!read.ok) throw corruptStateError([read.corrupt], `roll back to ${tag}`);
    return { target: read.record, current, passedOver: [] };
  }
  // without a tag the order of all releases decides; a damaged record could be the right target
  if (corrupt.length > 0) throw corruptStateError(corrupt, 'choose the release to roll back to');
  const target = previousGoodRelease(records, current?.tag);
  if (records.length === 0) {
    throw new UserError(`project ${project} has no release recorded: there is nothing to roll back to`, {
      code: 'RELEASE_NOT_FOUND',
      hint:
        'Nothing was changed. Every `aisuite up` records a release; check the project name (--project, ' +
        '--config) and the state directory (AISUITE_STATE_DIR) the suite was deployed with.',
    });
  }
  // good releases whose last checklist failed, deployed after the target: the ones the default passed over
  const checkedBad = sortByDeployment(records)
    .filter((r) => r.status === 'good' && r.checklist.status === 'failed' && r.tag !== current?.tag)
    .filter((r) => !target || compareStrings(r.deployedAt, target.deployedAt) > 0);
  if (!target) {
    throw new UserError(
      `project ${project} has no good release before ${current?.tag ?? 'the current one'}`,
      {
        code: 'RELEASE_NOT_FOUND',
        hint:
          (checkedBad.length > 0
            ? `Passed over: ${checkedBad.map((r) => r.tag).join(', ')} (the last checklist run on it failed). `
            : '') +
          'Nothing was changed. Name a release: `aisuite rollback TAG` (`aisuite releases` lists them).',
      },
    );
  }
  return { target, current, passedOver: checkedBad.map((r) => r.tag) };
}

/** A target whose last checklist run failed: said before rolling back to it (a tag named on purpose). */
export function checklistWarnings(target: ReleaseRecord): string[] {
  const { checklist } = target;
  if (checklist.status !== 'failed') return [];
  const which = checklist.failedCritical?.length ? `: ${checklist.failedCritical.join(', ')}` : '';
  return [
    `release ${target.tag} failed its last checklist${checklist.checkedAt ? ` (${checklist.checkedAt})` : ''}${which}`,
  ];
}

/** Differences in the code that owns the kept data (a different database schema version). */
export function dataSchemaWarnings(from: ReleaseRecord | undefined, to: ReleaseRecord): string[] {
  if (!from) return [];
  const out: string[] = [];
  for (const [service, image] of Object.entries(to.dataSchema)) {
    const now = from.dataSchema[service];
    if (now !== undefined && now !== image) {
      out.push(
        `${service}: its data was last written by ${now}; release ${to.tag} runs ${image}. ` +
          'The volume is kept as it is: check that this version reads that schema.',
      );
    }
  }
  return out;
}

async function applyAndCheck(
  record: ReleaseRecord,
  options: RollbackOptions,
): Promise<{ result?: ApplyResult; checklist: ReleaseChecklist; failure?: string }> {
  let result: ApplyResult;
  try {
    result = await applyRelease(record, options);
  } catch (error) {
    if (error instanceof AisuiteError && error.code === 'INTERRUPTED') throw error;
    return { checklist: { status: 'not-run' }, failure: (error as Error).message };
  }
  if (options.checklist === false) return { result, checklist: { status: 'not-run' } };
  const checklist = await postDeployChecklist(record, {
    signal: options.signal,
    deadlineSeconds: options.checklistDeadlineSeconds,
  });
  return checklist.status === 'failed'
    ? {
        result,
        checklist,
        failure: describeChecklistFailure(checklist),
      }
    : { result, checklist };
}

/**
 * Return the suite to a recorded release: check it exists, is intact and has its images, re-apply it
 * through the normal plan/apply, run the post-deploy checklist and record the result. When it fails, the
 * release we started from is restored (unless autoRevert is false). Volumes are never touched.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const started = Date.now();
  const { project, reporter, env } = options;
  const { target, current, passedOver } = await resolveRollbackTarget(project, options.tag, env);
  const { createDocker } = await import('../docker/engine.js');
  const docker = options.docker ?? createDocker();
  const missing = (await checkReleaseImages(docker, target)).filter((c) => c.state === 'missing');
  if (missing.length > 0) throw missingImagesError(target, missing);

  const warnings = [...dataSchemaWarnings(current, target), ...checklistWarnings(target)];
  for (const w of warnings) reporter.warn(w);
  if (passedOver.length > 0) {
    reporter.info(
      `Passing over ${passedOver.join(', ')}: the last checklist run on it failed (\`aisuite rollback TAG\` to go there anyway).`,
    );
  }
  reporter.info(
    `Rolling back project ${project} from ${current?.tag ?? '(no recorded release)'} to ${target.tag}: ` +
      'images and configs only; volumes and databases are not touched.',
  );

  const attempt = await applyAndCheck(target, { ...options, docker });
  if (!attempt.failure) {
    await markDeployed(target, { command: 'rollback', status: 'good', checklist: attempt.checklist, env });
    await appendAudit(
      project,
      { action: 'rollback', result: 'ok', tag: target.tag, from: current?.tag },
      env,
    );
    return {
      project,
      from: current?.tag ?? null,
      to: target.tag,
      status: 'rolled-back',
      checklist: attempt.checklist,
      services: (attempt.result?.services ?? []).map((s) => ({
        name: s.name,
        action: s.action,
        state: s.state,
      })),
      warnings,
      elapsedMs: Date.now() - started,
    };
  }

  await markDeployed(target, {
    command: 'rollback',
    status: 'failed',
    failure: attempt.failure,
    checklist: attempt.checklist,
    env,
  });
  await appendAudit(
    project,
    { action: 'rollback', result: 'failed', tag: target.tag, from: current?.tag, message: attempt.failure },
    env,
  );
  const revertTo =
    options.autoRevert === false || !current || current.tag === target.tag ? undefined : current;
  let reverted = false;
  let revertFailure: string | undefined;
  if (revertTo) {
    reporter.warn(`release ${target.tag} failed (${attempt.failure}); restoring ${revertTo.tag}`);
    ({ ok: reverted, failure: revertFailure } = await revert(revertTo, { ...options, docker }, target.tag));
  }
  throw new AisuiteError(
    `rollback to ${target.tag} failed: ${attempt.failure}` +
      (revertTo
        ? reverted
          ? `\nrestored the release it started from: ${revertTo.tag}`
          : `\nrestoring ${revertTo.tag} failed too (${revertFailure}): the suite is in an unknown state`
        : ''),
    {
      exitCode: ExitCode.CHECK_FAILED,
      code: 'ROLLBACK_FAILED',
      hint: revertTo
        ? 'See `aisuite releases --audit` and `aisuite status`.'
        : `The suite stays on ${target.tag} (--no-auto-revert). See \`aisuite status\` and \`aisuite logs\`.`,
      details: { from: current?.tag ?? null, to: target.tag, reverted, checklist: attempt.checklist },
    },
  );
}

/** Re-apply `record` after a failed change; true when it came back good. Used by rollback and `up`. */
export async function revert(
  record: ReleaseRecord,
  options: Omit<RollbackOptions, 'project' | 'tag'> & { project: string },
  failedTag: string,
): Promise<{ ok: boolean; failure?: string }> {
  // the failed release's own containers (a crash-looping one included) still hold the ports this
  // release used a moment ago: the pre-flight port check would only see them as conflicts
  const attempt = await applyAndCheck(record, { ...options, preflight: false });
  const ok = !attempt.failure;
  await markDeployed(record, {
    command: 'auto-revert',
    status: ok ? 'good' : 'failed',
    failure: attempt.failure,
    checklist: attempt.checklist,
    env: options.env,
  });
  await appendAudit(
    options.project,
    {
      action: 'auto-revert',
      result: ok ? 'ok' : 'failed',
      tag: record.tag,
      from: failedTag,
      ...(attempt.failure ? { message: attempt.failure } : {}),
    },
    options.env,
  );
  return { ok, failure: attempt.failure };
}
