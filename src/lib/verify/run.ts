import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { runChecklist } from '../checklist/index.js';
import { targetFromSuite } from '../checklist/target.js';
import { formatResultLine } from '../checklist/reporters/tty.js';
import type { SuiteFlagValues } from '../cli/suite-flags.js';
import { AisuiteError, UserError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { RendererName } from '../output.js';
import { projectStateDir } from '../paths.js';
import { readSecrets } from '../secrets/store.js';
import { redact } from '../secrets/redact.js';
import { LABELS } from '../suite/labels.js';
import {
  VERIFY_REPORT_KIND,
  VERIFY_SCHEMA_VERSION,
  writeVerifyReports,
  type VerifyReport,
} from './report.js';
import { runSmokeTests, type SmokeResult } from './smoke.js';

export interface VerifyOptions {
  /** Suite flags as for `up` (config, image overrides, phase...); profile is forced to cpu. */
  readonly flags: SuiteFlagValues;
  readonly reportDir?: string;
  /** Leave the suite running (debugging). */
  readonly keep?: boolean;
  readonly signal?: AbortSignal;
  readonly renderer?: RendererName;
  readonly buildCa?: string;
  /** `free` (default): free host ports for every service; `default`: the ports of aisuite.yaml. */
  readonly ports?: 'free' | 'default';
  /** Seconds each service may take to become ready (default: the per-service budgets). */
  readonly waitTimeoutSeconds?: number;
  readonly deadlineSeconds?: number;
  readonly log?: (line: string) => void;
  /** Self-test of the failure path: stop these services' containers right after `up`. */
  readonly stopAfterUp?: readonly string[];
  readonly docker?: Docker;
}

export interface VerifyOutcome {
  readonly report: VerifyReport;
  readonly files: readonly string[];
}

/** A project name nobody else uses, so verify never touches a suite it did not create. */
export function verifyProjectName(): string {
  return `aisuite-verify-${randomBytes(4).toString('hex')}`;
}

/** Error codes of `up` whose hint is about the running suite (`aisuite logs`, `aisuite down`). */
const SUITE_HINTED = new Set(['SERVICE_FAILED', 'READINESS_DEADLINE']);

const isHealthCheckOf = (id: string) => /^health-(.+)$/.exec(id)?.[1];

/**
 * `aisuite verify --cpu`: up under a unique project, smoke tests through the real endpoints, the
 * post-deploy checklist, reports, and a teardown that always runs (failure and Ctrl-C included) unless
 * `keep`. Logs of failed services are kept in the report directory.
 */
export async function runVerify(options: VerifyOptions): Promise<VerifyOutcome> {
  const log = options.log ?? (() => undefined);
  const signal = options.signal ?? new AbortController().signal;
  const [
    { prepareDeployment },
    { applySuite },
    { teardown },
    { createDocker },
    { ContainerClient },
    { lastLogLines },
  ] = await Promise.all([
    import('../docker/deployment.js'),
    import('../docker/apply.js'),
    import('../docker/teardown.js'),
    import('../docker/engine.js'),
    import('../docker/containers.js'),
    import('../docker/logs.js'),
  ]);
  const docker = options.docker ?? createDocker();
  const generated = options.flags.project === undefined;
  const project = options.flags.project ?? verifyProjectName();
  const containers = new ContainerClient(docker);
  if ((await containers.listByProject(project)).length > 0) {
    throw new UserError(`project ${project} already has containers; verify only tears down what it creates`, {
      hint: 'Leave out --project (verify picks a unique name), or pick a name no suite uses.',
      code: 'VERIFY_PROJECT_IN_USE',
    });
  }
  const derived =
    (options.ports ?? 'free') === 'free'
      ? await (await import('./ports.js')).writeVerifyConfig(options.flags.config, project)
      : undefined;
  const flags: SuiteFlagValues = {
    ...options.flags,
    ...(derived ? { config: derived.file } : {}),
    project,
    cpu: true,
    gpu: false,
    profile: 'cpu',
    phase: options.flags.phase ?? '3',
  };

  const started = Date.now();
  const phases = { up: 0, smoke: 0, checklist: 0, teardown: 0 };
  let smoke: SmokeResult[] = [];
  let checklist: VerifyReport['checklist'];
  let error: VerifyReport['error'];
  let exitCode: ExitCodeValue = ExitCode.OK;
  const logs: { service: string; file: string }[] = [];
  let teardownSummary: VerifyReport['teardown'];
  let secretsFile: string | undefined;
  let kept = false;
  const failedServices = new Set<string>();

  try {
    log(`verify: project ${project}`);
    const t0 = Date.now();
    const deployment = await prepareDeployment(flags, { buildCa: options.buildCa, missingModels: 'warn' });
    secretsFile = deployment.resolved.secretsFile;
    if (options.keep && derived) {
      // the commands run on the kept suite afterwards (--config this file) must see what verify deployed
      const o = deployment.resolved.options;
      await derived.select({
        phase: o.phase,
        profile: o.profile,
        ...(o.monitoring !== undefined ? { monitoring: o.monitoring } : {}),
        ...(Object.keys(o.images).length > 0 ? { images: { ...o.images } } : {}),
        ...(o.without.length > 0 ? { components: { without: [...o.without] } } : {}),
      });
    }
    try {
      await applySuite(deployment.resolved, deployment.files, {
        docker,
        servicesImage: deployment.servicesImage,
        signal,
        renderer: options.renderer ?? 'silent',
        waitTimeoutSeconds: options.waitTimeoutSeconds,
      });
    } finally {
      phases.up = Date.now() - t0;
    }
    log(`verify: suite up in ${(phases.up / 1000).toFixed(1)}s`);

    for (const service of options.stopAfterUp ?? []) {
      const [c] = await docker.listContainers({
        filters: { label: [`${LABELS.project}=${project}`, `${LABELS.service}=${service}`] },
      });
      if (!c) throw new UserError(`--stop-after-up: no running container for ${service}`, { code: 'USAGE' });
      log(`verify: stopping ${service} on purpose (--stop-after-up)`);
      await docker.getContainer(c.Id).stop({ t: 2 });
    }
    const secrets = await readSecrets(deployment.resolved.secretsFile);
    const target = targetFromSuite({ resolved: deployment.resolved, secrets });
    const t1 = Date.now();
    const fallbacks = deployment.resolved.options.gateway?.fallbacks;
    smoke = await runSmokeTests({ target, docker, signal, fallbacks }, undefined, (r) =>
      log(`  ${formatResultLine(r as never, false)}`),
    );
    phases.smoke = Date.now() - t1;

    const t2 = Date.now();
    checklist = await runChecklist(target, {
      stages: ['post-deploy'],
      signal,
      deadlineSeconds: options.deadlineSeconds,
      onResult: (r) => log(`  ${formatResultLine(r, false)}`),
    });
    phases.checklist = Date.now() - t2;

    for (const r of checklist.checks) {
      const service = isHealthCheckOf(r.id);
      if (service && r.status === 'failed') failedServices.add(service);
    }
    const smokeFailed = smoke.some((r) => r.status === 'failed');
    if (signal.aborted) exitCode = ExitCode.INTERRUPTED;
    else if (smokeFailed || checklist.exitCode === ExitCode.CHECK_FAILED) exitCode = ExitCode.CHECK_FAILED;
    else if (checklist.exitCode === ExitCode.DEADLINE) exitCode = ExitCode.DEADLINE;
  } catch (e) {
    if (signal.aborted) {
      exitCode = ExitCode.INTERRUPTED;
      error = { code: 'INTERRUPTED', message: 'interrupted' };
    } else if (e instanceof AisuiteError && e.exitCode === ExitCode.USER_ERROR) {
      throw e; // bad input: nothing was created that verify must report on (teardown still runs below)
    } else {
      exitCode =
        e instanceof AisuiteError && e.exitCode === ExitCode.DEADLINE
          ? ExitCode.DEADLINE
          : ExitCode.CHECK_FAILED;
      error = { code: e instanceof AisuiteError ? e.code : 'ERROR', message: redact((e as Error).message) };
      // A service that did not become ready is hinted at in the suite verify tears down (its logs go
      // to the report directory instead); any other step's hint (a build's CA bundle, an engine to
      // start) still holds.
      const hint = e instanceof AisuiteError && !SUITE_HINTED.has(e.code) ? e.hint : undefined;
      if (hint) error = { ...error, hint: redact(hint) };
    }
  } finally {
    // Logs of services that are not running and healthy, or whose health check failed, go to the report dir.
    if (options.reportDir && exitCode !== ExitCode.OK) {
      const list = await containers.listByProject(project).catch(() => [] as Docker.ContainerInfo[]);
      for (const c of list) {
        const service = c.Labels?.[LABELS.service] ?? c.Id.slice(0, 12);
        const unhealthy = c.State !== 'running' || /unhealthy|starting/.test(c.Status ?? '');
        if (!unhealthy && !failedServices.has(service)) continue;
        const file = path.join(options.reportDir, 'logs', `${service}.log`);
        await fs.mkdir(path.dirname(file), { recursive: true });
        const lines = await lastLogLines(containers, c.Id, 500);
        await fs.writeFile(file, redact(`${lines.join('\n')}\n`));
        logs.push({ service, file });
      }
    }
    // --keep keeps a suite; when none came up (a failed build), there is nothing to keep but state
    // (an engine that does not answer: assume something may be there, and keep it as asked)
    kept =
      options.keep === true &&
      (await containers.listByProject(project).then(
        (list) => list.length > 0,
        () => true,
      ));
    if (options.keep && !kept)
      log(`verify: --keep: no container of project ${project} was created; nothing kept`);
    if (!kept) {
      const t3 = Date.now();
      const result = await teardown(project, { volumes: true, docker, stopTimeoutSeconds: 5 });
      teardownSummary = {
        containers: result.containers.length,
        networks: result.networks.length,
        volumes: result.volumes.length,
      };
      // the project's state (secrets, rendered files) belongs to this ephemeral suite too
      if (generated) await fs.rm(projectStateDir(project), { recursive: true, force: true });
      phases.teardown = Date.now() - t3;
      await derived?.cleanup();
      log(`verify: torn down (${teardownSummary.containers} containers, ${teardownSummary.volumes} volumes)`);
    } else {
      const target = derived ? `--config ${derived.file}` : `--project ${project}`;
      log(
        [
          `verify: --keep: project ${project} left running (secrets in ${secretsFile ?? '?'})`,
          ...(derived ? [`  its config (project, host ports, selection): ${derived.file}`] : []),
          `  aisuite status ${target}`,
          `  aisuite checklist ${target}`,
          `  aisuite down ${target} --purge --yes   (removes it, its data and its state)`,
        ].join('\n'),
      );
    }
  }

  const report: VerifyReport = {
    kind: VERIFY_REPORT_KIND,
    schemaVersion: VERIFY_SCHEMA_VERSION,
    project,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    outcome:
      exitCode === ExitCode.OK
        ? 'passed'
        : exitCode === ExitCode.DEADLINE
          ? 'deadline'
          : exitCode === ExitCode.INTERRUPTED
            ? 'interrupted'
            : 'failed',
    exitCode,
    ...(error ? { error } : {}),
    phases,
    smoke,
    ...(checklist ? { checklist } : {}),
    logs,
    kept,
    ...(kept && derived ? { keptConfig: derived.file } : {}),
    ...(teardownSummary ? { teardown: teardownSummary } : {}),
  };
  const files = options.reportDir ? await writeVerifyReports(options.reportDir, report) : [];
  return { report, files };
}
