import { appendAudit } from '../audit/audit.js';
import { AisuiteError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { auditedLockOptions, withLock } from '../lock/guard.js';
import type { RenderedFile } from '../render/types.js';
import type { ResolvedSuite } from '../suite/resolve.js';
import { describeChecklistFailure, postDeployChecklist } from './checklist.js';
import { defaultTag } from './content.js';
import { chooseCurrent } from './current.js';
import { recordRelease } from './record.js';
import { revert, type Reporter } from './rollback.js';
import { assertValidTag } from './store.js';
import type { ReleaseChecklist, ReleaseRecord } from './types.js';

/** What `up` passes in: the flags of `releaseFlags` and `lockFlags`, and its own context. */
export interface DeployContext {
  readonly resolved: ResolvedSuite;
  readonly files: readonly RenderedFile[];
  readonly flags: {
    readonly tag?: string;
    readonly 'rollback-on-failure'?: boolean;
    readonly 'post-deploy-checks'?: boolean;
    readonly 'lock-wait'?: number;
    readonly 'force-unlock'?: boolean;
    readonly 'dry-run'?: boolean;
  };
  readonly signal?: AbortSignal;
  readonly reporter: Reporter;
  readonly env?: NodeJS.ProcessEnv;
}

/** The part of the engine's apply result a release needs. */
export interface AppliedLike {
  readonly images: readonly { ref: string; id: string; services: readonly string[] }[];
}

/**
 * `up` with releases: take the project's lock, apply (the release label is the tag), run the post-deploy
 * checklist when asked (always with --rollback-on-failure), record the release (good or failed) and an
 * audit line, and with --rollback-on-failure return to the previous good release when the new one fails.
 * A dry run changes nothing: no lock, no record.
 */
export async function deployRelease<T extends AppliedLike>(
  ctx: DeployContext,
  apply: (tag: string | undefined) => Promise<T>,
): Promise<T & { release?: string; checklist?: ReleaseChecklist }> {
  if (ctx.flags['dry-run']) return apply(undefined);
  const { suite } = ctx.resolved;
  const project = suite.project;
  const tag = ctx.flags.tag ?? defaultTag(suite, ctx.files);
  assertValidTag(tag);
  const rollbackOnFailure = ctx.flags['rollback-on-failure'] ?? false;
  const runChecks = rollbackOnFailure || (ctx.flags['post-deploy-checks'] ?? false);
  return withLock(
    project,
    'up',
    auditedLockOptions(project, ctx.flags, {
      signal: ctx.signal,
      env: ctx.env,
      info: (m) => ctx.reporter.info(m),
      warn: (m) => ctx.reporter.warn(m),
    }),
    async () => {
      // the release before this one (for the audit line and --rollback-on-failure) is read while
      // apply runs: apply does not touch the records, and nothing else can under the lock
      const listed = chooseCurrent(project, ctx.env);
      listed.catch(() => undefined);

      let applied: T | undefined;
      let failure: string | undefined;
      let applyError: unknown;
      let checklist: ReleaseChecklist = { status: 'not-run' };
      try {
        applied = await apply(tag);
      } catch (error) {
        if (error instanceof AisuiteError && error.code === 'INTERRUPTED') throw error;
        applyError = error;
        failure = (error as Error).message.split('\n')[0];
      }
      const { current: before, corrupt } = await listed;
      for (const c of corrupt) ctx.reporter.warn(`damaged release record ${c.file}: ${c.reason} (not used)`);
      if (applied && runChecks) {
        checklist = await postDeployChecklist(ctx.resolved, { signal: ctx.signal });
        if (checklist.status === 'failed') {
          failure = describeChecklistFailure(checklist);
        }
      }
      const record = await recordRelease({
        resolved: ctx.resolved,
        files: ctx.files,
        images: applied?.images ?? [],
        tag,
        command: 'up',
        status: failure ? 'failed' : 'good',
        failure,
        checklist,
        env: ctx.env,
      });
      await appendAudit(
        project,
        {
          action: 'up',
          result: failure ? 'failed' : 'ok',
          tag,
          from: before?.tag,
          ...(failure ? { message: failure } : {}),
        },
        ctx.env,
      );
      if (!failure) return { ...(applied as T), release: record.tag, checklist };

      const target: ReleaseRecord | undefined = before && before.tag !== tag ? before : undefined;
      let reverted = false;
      let revertFailure: string | undefined;
      if (rollbackOnFailure && target) {
        ctx.reporter.warn(`release ${tag} failed (${failure}); returning to ${target.tag}`);
        ({ ok: reverted, failure: revertFailure } = await revert(
          target,
          { project, reporter: ctx.reporter, signal: ctx.signal, env: ctx.env, checklist: runChecks },
          tag,
        ));
      } else if (rollbackOnFailure) {
        ctx.reporter.warn(`release ${tag} failed and there is no previous good release to return to`);
      }
      const suffix =
        target && rollbackOnFailure
          ? reverted
            ? `\nreturned to the previous release ${target.tag} (--rollback-on-failure)`
            : `\nreturning to ${target.tag} failed too (${revertFailure}): the suite is in an unknown state`
          : '';
      if (applyError instanceof AisuiteError) {
        throw new AisuiteError(applyError.message + suffix, {
          exitCode: applyError.exitCode,
          code: applyError.code,
          hint: applyError.hint,
          details: {
            ...applyError.details,
            release: tag,
            reverted,
            revertedTo: reverted ? target?.tag : null,
          },
          cause: applyError,
        });
      }
      if (applyError) throw applyError;
      throw new AisuiteError(`release ${tag}: ${failure}${suffix}`, {
        exitCode: ExitCode.CHECK_FAILED,
        code: 'POST_DEPLOY_CHECKS_FAILED',
        hint: 'Run `aisuite checklist` for the details of each check.',
        details: { release: tag, checklist, reverted, revertedTo: reverted ? target?.tag : null },
      });
    },
  );
}
