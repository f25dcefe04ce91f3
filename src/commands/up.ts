import { Flags } from '../lib/oclif.js';
import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { suiteFlags } from '../lib/cli/suite-flags.js';
import { releaseFlags } from '../lib/releases/flags.js';
import type { PlanEntry } from '../lib/docker/plan.js';

export interface UpServiceResult {
  readonly name: string;
  readonly action: string;
  readonly state: string;
  readonly health?: string;
  readonly ports: readonly string[];
  readonly readyMs?: number;
}

export interface UpResult {
  readonly project: string;
  readonly dryRun: boolean;
  readonly plan: readonly PlanEntry[];
  readonly services: readonly UpServiceResult[];
  readonly images: readonly { ref: string; action: string; services: readonly string[]; seconds: number }[];
  readonly renderedDir: string;
  /** The selection deployed; `inheritedFrom` names the release it came from when no flag or config set it. */
  readonly selection: { readonly phase: number; readonly profile: string; readonly inheritedFrom?: string };
  readonly warnings: readonly string[];
  readonly elapsedMs: number;
  /** The release tag recorded (not on a dry run). */
  readonly release?: string;
}

export default class Up extends BaseCommand<typeof Up> {
  static override summary = 'Deploy the selected suite on the local Docker engine and wait until it is ready';
  static override description =
    prose(`Renders the suite (the same files \`aisuite render\` writes) into the project's state directory,
runs the pre-flight checks (engine, free host ports, disk, and for --gpu the model files and a GPU),
gets the images (pulling per --pull, building the services image from the package), and then creates,
recreates or starts only the services whose configuration changed (compared by the config-hash label),
in dependency order, independent services concurrently. Each service is waited for within its time
budget; a service that exits or turns unhealthy fails at once, with its last 50 log lines.
A second \`up\` with the same input changes nothing. Without --phase or --cpu/--gpu (and none in
aisuite.yaml or AISUITE_PHASE/AISUITE_PROFILE), the phase and profile are those of the project's current
release, so a plain re-run keeps the deployed suite; the first deployment defaults to phase 1, CPU.`);
  static override examples = [
    '<%= config.bin %> up --phase 1 --cpu',
    '<%= config.bin %> up --phase 3 --gpu --models-dir /srv/models',
    '<%= config.bin %> up --phase 3 --cpu --config test/stand-in.aisuite.yaml --pull never',
    '<%= config.bin %> up --phase 2 --cpu --dry-run',
    '<%= config.bin %> up --phase 1 --cpu --build --build-ca /etc/ssl/certs/ca-certificates.crt',
  ];
  static override flags = {
    ...suiteFlags,
    ...releaseFlags,
    'dry-run': Flags.boolean({
      description:
        'print the plan (create/recreate/start/keep/remove) and change nothing; failed pre-flight checks (ports, disk, model files, GPU) follow the plan, with exit 2',
      env: 'AISUITE_DRY_RUN',
    }),
    'wait-timeout': Flags.integer({
      description: 'seconds to wait for each service to be ready (overrides the per-service budgets)',
      min: 1,
      env: 'AISUITE_WAIT_TIMEOUT',
    }),
    wait: Flags.boolean({
      description: 'wait until every service is ready (--no-wait returns once containers are started)',
      allowNo: true,
      default: true,
      env: 'AISUITE_WAIT',
    }),
    pull: Flags.option({
      options: ['missing', 'always', 'never'] as const,
      default: 'missing' as const,
      description: 'when to pull registry images',
      env: 'AISUITE_PULL',
    })(),
    build: Flags.boolean({
      description: 'rebuild the services image even when an image with its content tag exists',
      env: 'AISUITE_BUILD',
    }),
    'build-ca': Flags.string({
      description:
        'CA bundle for npm inside the services image build (TLS-intercepting proxy); never in the final image',
      env: 'AISUITE_BUILD_CA',
    }),
  };

  async run(): Promise<UpResult> {
    const flags = this.flags;
    // the suite is resolved (files read and hashed) while the engine's modules load
    const deployment = import('../lib/docker/deployment.js').then(({ prepareDeployment }) =>
      prepareDeployment(flags, {
        buildCa: flags['build-ca'],
        missingModels: flags['dry-run'] ? 'preflight' : 'error',
        deployedDefaults: true,
      }),
    );
    deployment.catch(() => undefined);
    const [{ applySuite }, { chooseRenderer }, { setDockerDebug }, { describeInherited }] = await Promise.all(
      [
        import('../lib/docker/apply.js'),
        import('../lib/output.js'),
        import('../lib/docker/debug.js'),
        import('../lib/suite/resolve.js'),
      ],
    );
    setDockerDebug(this.flags['log-level'] === 'debug');
    const { resolved, files, servicesImage } = await deployment;
    if (resolved.inherited) this.info(describeInherited(resolved.inherited));
    for (const warning of resolved.warnings) this.warn(warning);
    const quiet = flags['log-level'] === 'error' || flags['log-level'] === 'warn';
    const { deployRelease } = await import('../lib/releases/deploy.js');
    const reporter = { info: (m: string) => this.info(m), warn: (m: string) => void this.warn(m) };
    const result = await deployRelease({ resolved, files, flags, signal: this.signal, reporter }, (release) =>
      applySuite(resolved, files, {
        release,
        servicesImage,
        pull: flags.pull,
        build: flags.build,
        dryRun: flags['dry-run'],
        wait: flags.wait,
        waitTimeoutSeconds: flags['wait-timeout'],
        signal: this.signal,
        renderer: chooseRenderer({ json: this.jsonEnabled(), quiet, isTTY: process.stderr.isTTY }),
      }),
    );

    const { formatEndpoints, formatPlan, formatServices } = await import('../lib/docker/format.js');
    if (result.dryRun) {
      this.log(`Plan for project ${result.project} (dry run, nothing changed):`);
      this.log(formatPlan(result.plan));
      // what would stop the real run, after the plan it would have carried out (exit 2, as `up` would)
      const { assertPreflight } = await import('../lib/preflight/index.js');
      assertPreflight(result.preflight, { plan: result.plan });
    } else {
      this.log(formatServices(result.services));
      if (result.services.some((s) => s.health === 'starting' && s.readyMs !== undefined)) {
        this.log(
          "\nREADY: when aisuite saw each service answer. HEALTH is Docker's own check, 'starting' until its " +
            'first run, a few seconds after start; `aisuite status` shows it.',
        );
      }
      this.log(`\nProject ${result.project} is up in ${(result.elapsedMs / 1000).toFixed(1)}s.`);
      // where to go next, with the flags that found this project
      const secretsGet = [
        `${this.config.bin} secrets get`,
        ...(flags.config ? [`--config ${flags.config}`] : []),
        ...(flags.project ? [`--project ${flags.project}`] : []),
        ...(flags['secrets-file'] ? [`--secrets-file ${flags['secrets-file']}`] : []),
      ].join(' ');
      const endpoints = formatEndpoints(resolved.suite, secretsGet);
      if (endpoints) this.log(`\n${endpoints}`);
    }
    return {
      project: result.project,
      dryRun: result.dryRun,
      plan: result.plan,
      services: result.services.map((s) => ({
        name: s.name,
        action: s.action,
        state: s.state,
        health: s.health,
        ports: s.ports,
        readyMs: s.readyMs,
      })),
      images: result.images.map((i) => ({
        ref: i.ref,
        action: i.action,
        services: i.services,
        seconds: i.seconds,
      })),
      renderedDir: result.renderedDir,
      selection: {
        phase: resolved.options.phase,
        profile: resolved.options.profile,
        inheritedFrom: resolved.inherited?.release,
      },
      warnings: resolved.warnings,
      elapsedMs: result.elapsedMs,
      release: result.release,
    };
  }
}
