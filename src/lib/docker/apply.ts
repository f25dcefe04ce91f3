import type Docker from 'dockerode';
import { AisuiteError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { RendererName } from '../output.js';
import { assertPreflight, ownPorts, runPreflight, type PreflightCheck } from '../preflight/index.js';
import type { RenderedFile } from '../render/types.js';
import { ensureSecrets, readSecrets, SECRET_NAMES, type Secrets } from '../secrets/store.js';
import { LABELS } from '../suite/labels.js';
import type { ResolvedSuite } from '../suite/resolve.js';
import type { ServiceSpec } from '../suite/types.js';
import { packageVersion } from '../version.js';
import { ContainerClient } from './containers.js';
import { containerOptions } from './container-spec.js';
import { desiredConfig, secretEnv } from './desired.js';
import { createDocker, pingEngine } from './engine.js';
import { ensureImage, imageJobs, type ImageOutcome, type PullPolicy } from './ensure-images.js';
import { ImageClient } from './images.js';
import { lastLogLines } from './logs.js';
import { NetworkClient } from './networks.js';
import { assertSameSecretsOrigin } from './secrets-origin.js';
import { plan, type PlanAction, type PlanEntry, type RunningContainer } from './plan.js';
import { renderedDirOf, syncRenderedDir } from './rendered-dir.js';
import { runTasks, type Step } from './progress.js';
import type { ServicesImagePlan } from './services-image.js';
import { describeContainer, type ServiceState } from './status.js';
import { VolumeClient } from './volumes.js';
import { systemClock, WaitError, waitStrategyFor, type Clock, type WaitFailureKind } from './wait.js';
import { volumeName } from '../render/compose.js';

export interface ApplyOptions {
  readonly docker?: Docker;
  /** The services image to build when missing (from `planServicesImage`). */
  readonly servicesImage?: ServicesImagePlan;
  readonly pull?: PullPolicy;
  /** Rebuild the services image even when its tag exists. */
  readonly build?: boolean;
  /** Compute and return the plan; change nothing. */
  readonly dryRun?: boolean;
  /** Wait for every service to be ready (default true). Dependencies with condition healthy are always awaited. */
  readonly wait?: boolean;
  /** Overrides every service's time budget. */
  readonly waitTimeoutSeconds?: number;
  readonly signal?: AbortSignal;
  readonly renderer?: RendererName;
  /** Value of the release label (default: the package version). */
  readonly release?: string;
  /** Run the pre-flight checks (default true). */
  readonly preflight?: boolean;
  readonly minFreeGb?: number;
  /** Where rendered files are written and bound from (default `<state dir>/<project>/rendered`). */
  readonly renderedDir?: string;
  readonly clock?: Clock;
}

export interface ServiceOutcome extends ServiceState {
  readonly action: PlanAction;
  /** Milliseconds from the start of apply until the service was ready (undefined when not waited for). */
  readonly readyMs?: number;
}

export interface ApplyResult {
  readonly project: string;
  readonly dryRun: boolean;
  readonly plan: readonly PlanEntry[];
  readonly services: readonly ServiceOutcome[];
  readonly images: readonly ImageOutcome[];
  readonly preflight: readonly PreflightCheck[];
  readonly renderedDir: string;
  readonly elapsedMs: number;
}

interface Gate {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function gate(): Gate {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a failed gate nobody waits on is not an unhandled rejection
  return { promise, resolve, reject };
}

interface Failure {
  readonly service: string;
  readonly kind: WaitFailureKind | 'blocked' | 'error';
  readonly message: string;
  readonly state?: string;
  readonly health?: string;
  readonly logs: readonly string[];
}

class BlockedError extends Error {}

/** Secrets for planning: a dry run reads without generating (missing values hash as empty). */
async function loadSecrets(file: string, dryRun: boolean): Promise<Secrets> {
  if (!dryRun) return ensureSecrets(file);
  const partial = await readSecrets(file);
  return Object.fromEntries(SECRET_NAMES.map((n) => [n, partial[n] ?? ''])) as Secrets;
}

function runningFrom(containers: readonly Docker.ContainerInfo[]): RunningContainer[] {
  return containers.flatMap((c) => {
    const service = c.Labels?.[LABELS.service];
    if (!service) return [];
    return [
      {
        id: c.Id,
        service,
        configHash: c.Labels?.[LABELS.configHash],
        configParts: c.Labels?.[LABELS.configParts],
        state: c.State,
        created: c.Created,
      },
    ];
  });
}

/**
 * Bring the engine to the resolved suite: pre-flight, images (pull per policy, build the services
 * image), plan by config hash, network and volumes, then every service in dependency order (independent
 * ones concurrently), each waited for within its time budget. Failures are collected and thrown once.
 */
export async function applySuite(
  resolved: ResolvedSuite,
  files: readonly RenderedFile[],
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const started = Date.now();
  const { suite } = resolved;
  const docker = options.docker ?? createDocker();
  const containers = new ContainerClient(docker);
  const images = new ImageClient(docker);
  const clock = options.clock ?? systemClock;
  const renderedDir = options.renderedDir ?? renderedDirOf(suite.project);
  const dryRun = options.dryRun ?? false;
  const wait = options.wait ?? true;

  let preflight: PreflightCheck[] = [];
  let existing: Docker.ContainerInfo[] = [];
  const imageResults: ImageOutcome[] = [];
  let entries: PlanEntry[] = [];
  const ids = new Map<string, string>();
  const hashes = new Map<string, string>();
  const parts = new Map<string, string>();
  let secrets: Secrets | undefined;
  const networks = new NetworkClient(docker);
  // The project's network is made while the pre-flight checks, images and plan run (~60 ms of a cold
  // `up`); a step before it that fails removes it again when this run created it.
  let network: Promise<{ id: string; created: boolean }> | undefined;
  let networkTaken = false;

  const steps: Step[] = [
    {
      title: 'Pre-flight',
      run: async (report) => {
        // an unreachable engine is the first thing to say (exit 2, with how to start one); the
        // project's containers are listed in the same round trip
        const listed = containers.listByProject(suite.project);
        listed.catch(() => undefined);
        // a project whose containers exist has its network: only a new one is created, and removed
        // again if a check below fails
        if (!dryRun) {
          network = networks.ensure(suite.network, suite.project);
          network.catch(() => undefined);
        }
        const engine = await pingEngine(docker);
        existing = await listed;
        // before anything is generated or changed: are the running containers ours?
        await assertSameSecretsOrigin(suite.project, existing, resolved.secretsFile);
        if (options.preflight === false) {
          report('skipped');
          return;
        }
        // ports held by the project's own containers are not conflicts (the plan keeps or frees them)
        preflight = await runPreflight(suite, {
          docker,
          engine,
          ownPorts: ownPorts(existing),
          minFreeGb: options.minFreeGb,
        });
        const failed = preflight.filter((c) => !c.ok);
        report(
          preflight.map((c) => c.message).join('; ') +
            (dryRun && failed.length > 0 ? ` (${failed.length} failed, reported after the plan)` : ''),
        );
        // a dry run goes on to show the plan (the caller reports the failed checks after it), unless
        // the engine itself failed its check: then there is no plan to show
        if (!dryRun || preflight.some((c) => c.id === 'engine' && !c.ok)) assertPreflight(preflight);
      },
    },
    {
      title: 'Images',
      children: () =>
        imageJobs(suite).map((job) => ({
          title: `${job.ref} (${job.services.join(', ')})`,
          run: async (report) => {
            if (dryRun) {
              // a dry run changes nothing: no pull, no build; a missing image hashes as missing
              const id = await images.idOf(job.ref);
              imageResults.push({
                ...job,
                id: id ?? 'missing',
                action: id ? 'present' : 'missing',
                seconds: 0,
              });
              report(id ? 'present' : `missing (would be ${job.kind === 'package' ? 'built' : 'pulled'})`);
              return;
            }
            const outcome = await ensureImage(images, job, {
              pull: options.pull ?? 'missing',
              build: options.build ?? false,
              servicesImage: options.servicesImage,
              onProgress: report,
            });
            imageResults.push(outcome);
            report(`${outcome.action}${outcome.seconds > 0 ? ` in ${outcome.seconds.toFixed(1)}s` : ''}`);
          },
        })),
    },
    {
      title: 'Plan',
      run: async (report) => {
        secrets = await loadSecrets(resolved.secretsFile, dryRun);
        const imageIds = new Map(imageResults.map((i) => [i.ref, i.id]));
        const desired = suite.services.map((svc) => {
          const config = desiredConfig(
            suite,
            svc,
            imageIds.get(svc.image.ref) ?? '',
            secrets as Secrets,
            files,
          );
          hashes.set(svc.name, config.hash);
          parts.set(svc.name, config.parts);
          return { name: svc.name, configHash: config.hash, configParts: config.parts };
        });
        entries = plan(desired, runningFrom(existing));
        // why a container is replaced is worth a line: a recreate nobody expected is a question
        report(
          entries
            .map((e) => `${e.service}: ${e.action}${e.action === 'recreate' ? ` (${e.reason})` : ''}`)
            .join(', '),
        );
      },
    },
  ];

  const failures: Failure[] = [];
  const createdNotStarted = new Set<string>();
  const readyAt = new Map<string, number>();

  if (!dryRun) {
    steps.push(
      {
        title: 'Network, volumes and configs',
        run: async (report) => {
          const volumes = new VolumeClient(docker);
          networkTaken = true;
          const net = await (network ?? networks.ensure(suite.network, suite.project));
          for (const v of suite.volumes) await volumes.ensure(volumeName(suite.project, v), suite.project);
          const synced = await syncRenderedDir(renderedDir, files);
          const removals = entries.filter((e) => e.action === 'remove');
          for (const e of removals) for (const id of e.containerIds) await containers.stopAndRemove(id);
          report(
            `network ${suite.network} ${net.created ? 'created' : 'present'}, ${suite.volumes.length} volume(s), ` +
              `${synced.written.length} config file(s) written` +
              (removals.length > 0 ? `, removed ${removals.map((e) => e.service).join(', ')}` : ''),
          );
        },
      },
      {
        title: 'Services',
        collect: true,
        children: () => serviceSteps(),
      },
    );
  }

  const serviceSteps = (): Step[] => {
    const startedGate = new Map(suite.services.map((s) => [s.name, gate()]));
    const readyGate = new Map(suite.services.map((s) => [s.name, gate()]));
    const awaitedHealthy = new Set(
      suite.services.flatMap((s) =>
        s.dependsOn.filter((d) => d.condition === 'healthy').map((d) => d.service),
      ),
    );
    const byName = new Map(entries.map((e) => [e.service, e]));
    return suite.services.map((svc) => ({
      title: svc.name,
      run: async (report) => {
        const entry = byName.get(svc.name) as PlanEntry;
        const started = startedGate.get(svc.name) as Gate;
        const ready = readyGate.get(svc.name) as Gate;
        try {
          // a new container is created before its dependencies are up, as Compose does: its create
          // (~25-50 ms while the engine starts the others) is then off the dependency chain; one left
          // not started (a dependency failed, Ctrl-C) is removed at the end
          const created =
            entry.action === 'create' && svc.dependsOn.length > 0 ? await create(svc, report) : undefined;
          for (const dep of svc.dependsOn) {
            report(`waiting for ${dep.service} (${dep.condition})`);
            const g = (dep.condition === 'healthy' ? readyGate : startedGate).get(dep.service);
            await g?.promise.catch(() => {
              throw new BlockedError(`not started: dependency ${dep.service} failed`);
            });
          }
          const id = await bringUp(svc, entry, report, created);
          ids.set(svc.name, id);
          started.resolve();
          if (wait || awaitedHealthy.has(svc.name)) {
            const strategy = waitStrategyFor(suite, svc);
            report(`${entry.action === 'keep' ? 'checking' : 'waiting for'} ${strategy.description}`);
            await strategy.waitUntilReady(
              { inspect: () => containers.inspect(id) },
              {
                timeoutMs: (options.waitTimeoutSeconds ?? svc.timeBudgetSeconds) * 1000,
                signal: options.signal,
                clock,
              },
            );
            readyAt.set(svc.name, Date.now() - startedAt);
            report(`ready (${entry.action})`);
          } else {
            report(`started (${entry.action}), not waited for`);
          }
          ready.resolve();
        } catch (error) {
          const failure = await describeFailure(svc, error as Error);
          failures.push(failure);
          started.reject(error as Error);
          ready.reject(error as Error);
          throw new Error(`${svc.name}: ${failure.message}`);
        }
      },
    }));
  };

  const bringUp = async (
    svc: ServiceSpec,
    entry: PlanEntry,
    report: (s: string) => void,
    created?: string,
  ): Promise<string> => {
    if (entry.action === 'keep') return entry.containerIds[0] as string;
    if (entry.action === 'start') {
      const id = entry.containerIds[0] as string;
      throwIfAborted();
      report('starting');
      await containers.start(id);
      return id;
    }
    if (entry.action === 'recreate') {
      report('removing the old container');
      for (const old of entry.containerIds) await containers.stopAndRemove(old);
    }
    const id = created ?? (await create(svc, report));
    throwIfAborted();
    report('starting');
    await containers.start(id);
    createdNotStarted.delete(id);
    return id;
  };

  /** Create the service's container, remembered as not started until it is. */
  const create = async (svc: ServiceSpec, report: (s: string) => void): Promise<string> => {
    throwIfAborted();
    report('creating');
    const id = await containers.create(
      containerOptions(suite, svc, {
        configHash: hashes.get(svc.name) as string,
        configParts: parts.get(svc.name),
        release: options.release ?? packageVersion(),
        secretEnv: secretEnv(svc, secrets as Secrets),
        renderedDir,
        secretsFile: resolved.secretsFile,
      }),
    );
    createdNotStarted.add(id);
    return id;
  };

  const throwIfAborted = () => {
    if (options.signal?.aborted) throw new WaitError('interrupted', 'aborted', 'not started');
  };

  const describeFailure = async (svc: ServiceSpec, error: Error): Promise<Failure> => {
    const id = ids.get(svc.name);
    if (error instanceof BlockedError)
      return { service: svc.name, kind: 'blocked', message: error.message, logs: [] };
    const logs =
      id && !(error instanceof WaitError && error.kind === 'aborted')
        ? await lastLogLines(containers, id, 50)
        : [];
    if (error instanceof WaitError) {
      return {
        service: svc.name,
        kind: error.kind,
        message: error.message,
        state: error.state,
        health: error.health,
        logs,
      };
    }
    return { service: svc.name, kind: 'error', message: error.message, logs };
  };

  const startedAt = Date.now();
  try {
    await runTasks(steps, { renderer: options.renderer ?? 'silent', signal: options.signal });
  } catch (error) {
    if (network && !networkTaken) {
      const made = await network.catch(() => undefined);
      if (made?.created) await networks.remove(made.id).catch(() => undefined);
    }
    throw error;
  }

  if (dryRun) {
    return {
      project: suite.project,
      dryRun,
      plan: entries,
      services: entries
        .filter((e) => e.action !== 'remove')
        .map((e) => ({
          name: e.service,
          action: e.action,
          state: 'planned',
          health: undefined,
          ports: [],
          image: '',
        })),
      images: imageResults,
      preflight,
      renderedDir,
      elapsedMs: Date.now() - started,
    };
  }

  // never leave a created-but-not-started container behind (a dependency failed, or Ctrl-C)
  const removedNotStarted = createdNotStarted.size;
  for (const id of createdNotStarted) await containers.remove(id);

  // state of every container of the project after apply
  const after = await containers.listByProject(suite.project);
  const states = await Promise.all(after.map((c) => describeContainer(containers, c)));
  const actions = new Map(entries.map((e) => [e.service, e.action]));
  const services: ServiceOutcome[] = suite.services.map((svc) => {
    const state = states.find((s) => s.name === svc.name);
    return {
      ...(state ?? { name: svc.name, state: 'missing', ports: [], image: svc.image.ref }),
      action: actions.get(svc.name) ?? 'create',
      readyMs: readyAt.get(svc.name),
    };
  });

  const running = states.filter((s) => s.state === 'running').map((s) => s.name);

  if (options.signal?.aborted) {
    throw new AisuiteError(
      `interrupted: ${running.length > 0 ? `running: ${running.join(', ')}` : 'no container of the suite is running'}` +
        (removedNotStarted > 0 ? `; removed ${removedNotStarted} created but not started container(s)` : ''),
      {
        exitCode: ExitCode.INTERRUPTED,
        code: 'INTERRUPTED',
        hint: 'Run `aisuite up` again to continue, or `aisuite down` to remove the suite.',
        details: { running, services },
      },
    );
  }

  if (failures.length > 0) throw failureError(suite.project, failures, running, services);

  return {
    project: suite.project,
    dryRun,
    plan: entries,
    services,
    images: imageResults,
    preflight,
    renderedDir,
    elapsedMs: Date.now() - started,
  };
}

function failureError(
  project: string,
  failures: readonly Failure[],
  running: readonly string[],
  services: readonly ServiceOutcome[],
): AisuiteError {
  const real = failures.filter((f) => f.kind !== 'blocked');
  const blocked = failures.filter((f) => f.kind === 'blocked');
  const lines: string[] = [];
  for (const f of real) {
    lines.push(`${f.service} did not become ready: ${f.message}`);
    lines.push(`  state: ${f.state ?? 'unknown'}${f.health ? `, health: ${f.health}` : ''}`);
    if (f.logs.length > 0) {
      lines.push(`  last ${f.logs.length} log lines of ${f.service}:`);
      for (const l of f.logs) lines.push(`    ${l}`);
    }
  }
  if (blocked.length > 0)
    lines.push(`not started (a dependency failed): ${blocked.map((f) => f.service).join(', ')}`);
  lines.push(
    running.length > 0 ? `left running: ${running.join(', ')}` : 'no container of the suite is left running',
  );
  const others = services.filter((s) => s.state !== 'running' && s.state !== 'missing');
  if (others.length > 0) lines.push(`also left: ${others.map((s) => `${s.name} (${s.state})`).join(', ')}`);
  const onlyTimeouts = real.length > 0 && real.every((f) => f.kind === 'timeout');
  return new AisuiteError(lines.join('\n'), {
    exitCode: onlyTimeouts ? ExitCode.DEADLINE : ExitCode.CHECK_FAILED,
    code: onlyTimeouts ? 'READINESS_DEADLINE' : 'SERVICE_FAILED',
    hint: `Inspect with \`aisuite logs SERVICE --project ${project}\`; remove the suite with \`aisuite down --project ${project}\`.`,
    details: { failures, running, services },
  });
}
