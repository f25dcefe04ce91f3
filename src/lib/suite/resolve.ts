import fs from 'node:fs';
import path from 'node:path';
import type { AisuiteConfig } from '../config/schema.js';
import { loadConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { defaultModelsDir } from '../paths.js';
import { secretsFilePath } from '../secrets/locate.js';
import type { SuiteFlagValues } from '../cli/suite-flags.js';
import { buildSuite, type SuiteOptions } from './build.js';
import { PACKAGE_IMAGE_REPOSITORY } from './images.js';
import type { Phase, Profile, SuiteSpec } from './types.js';
import { packageVersion } from '../version.js';
import { modelFiles } from './model-files.js';

export interface ResolvedSuite {
  readonly suite: SuiteSpec;
  readonly options: SuiteOptions;
  readonly config: AisuiteConfig;
  readonly configFile?: string;
  readonly secretsFile: string;
  /** Non-fatal findings (e.g. a missing models dir for `render`). */
  readonly warnings: readonly string[];
  /** What came from the project's current release rather than a flag or aisuite.yaml. */
  readonly inherited?: InheritedSelection;
}

/** Phase and profile taken from the release running now (`up` and `checklist` without --phase/--cpu/--gpu). */
export interface InheritedSelection {
  readonly release: string;
  readonly phase?: Phase;
  readonly profile?: Profile;
}

export interface ResolveContext {
  /**
   * What missing model files (GPU profile) do here: `error` for `up`, `warn` for `render`, nothing for
   * `preflight` (`up --dry-run` and `checklist`, whose own checks report them with the others).
   */
  readonly missingModels: 'error' | 'warn' | 'preflight';
  /**
   * `up` and `checklist`: a phase or profile that no flag, environment variable or aisuite.yaml sets is
   * the one of the project's current release, so that a plain re-run keeps (or checks) what is deployed
   * instead of falling back to phase 1 and removing the rest. `render` and `verify` never look.
   */
  readonly deployedDefaults?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

function parsePhase(value: string | number | undefined, fallback: Phase = 1): Phase {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (n === 1 || n === 2 || n === 3) return n;
  throw new UserError(`unknown phase: ${JSON.stringify(String(value))}`, {
    hint: 'Allowed values: 1, 2, 3',
    code: 'UNKNOWN_PHASE',
  });
}

function parseProfile(flags: SuiteFlagValues, config: AisuiteConfig, fallback: Profile = 'cpu'): Profile {
  if (flags.cpu && flags.gpu) {
    throw new UserError('--cpu and --gpu cannot be used together', {
      hint: 'Choose one profile.',
      code: 'PROFILE_CONFLICT',
    });
  }
  if (flags.cpu) return 'cpu';
  if (flags.gpu) return 'gpu';
  const value = flags.profile ?? config.profile ?? fallback;
  if (value === 'cpu' || value === 'gpu') return value;
  throw new UserError(`unknown profile: ${JSON.stringify(value)}`, {
    hint: 'Allowed values: cpu, gpu',
    code: 'UNKNOWN_PROFILE',
  });
}

function parseImages(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      throw new UserError(`--image ${JSON.stringify(pair)}: expected SERVICE=REF`, {
        hint: 'For example --image prometheus=registry.example.com/prom/prometheus:v2.53.4',
        code: 'INVALID_IMAGE',
      });
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** A comma-separated list flag: oclif gives an array from flags and a plain string from its env variable. */
function splitList(value: readonly string[] | string | undefined): string[] {
  const items = typeof value === 'string' ? [value] : (value ?? []);
  return items
    .flatMap((item) => item.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Turn aisuite.yaml + flags (flags win) into a validated SuiteSpec. */
export async function resolveSuite(flags: SuiteFlagValues, ctx: ResolveContext): Promise<ResolvedSuite> {
  const env = ctx.env ?? process.env;
  const { config, file } = await loadConfig(flags.config, ctx.cwd);
  const project = flags.project ?? config.project ?? 'aisuite';
  const inherited = ctx.deployedDefaults ? await deployedSelection(flags, config, project, env) : undefined;
  const phase = parsePhase(flags.phase ?? config.phase, inherited?.phase);
  const profile = parseProfile(flags, config, inherited?.profile);
  const modelsDir = path.resolve(flags['models-dir'] ?? config.modelsDir ?? defaultModelsDir(env));
  const options: SuiteOptions = {
    project,
    phase,
    profile,
    monitoring: flags.monitoring ?? config.monitoring,
    without: [...(config.components?.without ?? []), ...splitList(flags.without)],
    images: { ...config.images, ...parseImages(flags.image) },
    ports: { ...config.ports },
    bindAddress: flags['bind-address'] ?? config.bindAddress ?? '127.0.0.1',
    modelsDir,
    nGpuLayers: flags['n-gpu-layers'] ?? config.gpu?.nGpuLayers ?? 99,
    chatModelFile: config.gpu?.chatModel ?? 'chat.gguf',
    codeModelFile: config.gpu?.codeModel ?? 'code.gguf',
    contextSize: config.gpu?.contextSize ?? 8192,
    embeddingModel: config.embedding?.model ?? 'BAAI/bge-small-en-v1.5',
    // `up` swaps in the content-derived tag (docker/deployment.ts)
    packageImage: `${PACKAGE_IMAGE_REPOSITORY}:${packageVersion()}`,
    alerting: {
      webhook: config.alerting?.receivers?.webhook ?? [],
      slack: config.alerting?.receivers?.slack ?? [],
      email: config.alerting?.receivers?.email ?? [],
    },
    runbookUrl: config.alerting?.runbookUrl,
    lokiRetentionHours: config.loki?.retentionHours ?? 168,
    scrapeIntervalSeconds: config.prometheus?.scrapeIntervalSeconds,
    gateway: config.gateway,
    mcp: config.mcp,
  };
  const suite = buildSuite(options);
  const warnings: string[] = [];
  if (profile === 'gpu' && ctx.missingModels !== 'preflight') {
    const missing = missingModelFiles(suite);
    if (missing.length > 0) {
      const { message, hint } = describeMissingModels(suite, missing);
      if (ctx.missingModels === 'error') throw new UserError(message, { hint, code: 'MODELS_MISSING' });
      warnings.push(`${message}. ${hint}`);
    }
  }
  const secretsFile = secretsFilePath(flags, config, env);
  return { suite, options, config, configFile: file, secretsFile, warnings, inherited };
}

/**
 * The phase and profile of the project's current release, for whichever of the two nothing else sets;
 * undefined when both are set or nothing was deployed. Read only then (the records are ~40 KB each).
 */
async function deployedSelection(
  flags: SuiteFlagValues,
  config: AisuiteConfig,
  project: string,
  env: NodeJS.ProcessEnv,
): Promise<InheritedSelection | undefined> {
  const phaseOpen = flags.phase === undefined && config.phase === undefined;
  const profileOpen = !flags.cpu && !flags.gpu && flags.profile === undefined && config.profile === undefined;
  if (!phaseOpen && !profileOpen) return undefined;
  const { currentReleaseOf } = await import('../releases/current.js');
  const current = await currentReleaseOf(project, env);
  if (!current) return undefined;
  return {
    release: current.tag,
    phase: phaseOpen ? current.options.phase : undefined,
    profile: profileOpen ? current.options.profile : undefined,
  };
}

/** The line `up` and `checklist` print when the selection came from the current release. */
export function describeInherited(inherited: InheritedSelection): string {
  const what = [
    inherited.phase !== undefined ? `phase ${inherited.phase}` : undefined,
    inherited.profile !== undefined ? `the ${inherited.profile.toUpperCase()} profile` : undefined,
  ].filter(Boolean);
  const flags = [
    inherited.phase !== undefined ? '--phase' : undefined,
    inherited.profile ? '--cpu/--gpu' : undefined,
  ]
    .filter(Boolean)
    .join(' or ');
  return `Using ${what.join(' and ')} of the deployed release ${inherited.release} (${flags} to choose another).`;
}

/** Host paths of the model files the selected services need, which do not exist. */
export function missingModelFiles(suite: SuiteSpec): string[] {
  return modelFiles(suite)
    .flatMap((m) => m.files)
    .filter((f) => !fs.existsSync(f));
}

/** What to say about missing model files: which, and where they go. */
export function describeMissingModels(
  suite: SuiteSpec,
  missing: readonly string[],
): { message: string; hint: string } {
  const dirMissing = !fs.existsSync(suite.modelsDir);
  const lacking = modelFiles(suite).filter((m) => m.files.some((f) => missing.includes(f)));
  const gguf = lacking.filter((m) => m.kind === 'gguf').map((m) => m.name);
  const onnx = lacking.filter((m) => m.kind === 'onnx').map((m) => m.name);
  const hints = [
    ...(gguf.length > 0
      ? [
          `Put ${gguf.join(' and ')} (GGUF) in ${suite.modelsDir}, or pass --models-dir; ` +
            'other file names are set with gpu.chatModel and gpu.codeModel in aisuite.yaml.',
        ]
      : []),
    ...onnx.map(
      (model) =>
        `Put the ONNX export of ${model} in ${path.join(suite.modelsDir, model)} (config.json, the tokenizer ` +
        'files, onnx/model.onnx: docs/services.md, "Adding a model"); another model is set with ' +
        'embedding.model in aisuite.yaml.',
    ),
  ];
  return {
    message: `model files missing for --gpu: ${missing.join(', ')}${dirMissing ? ` (${suite.modelsDir} does not exist)` : ''}`,
    hint: hints.join(' '),
  };
}
