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

export interface ResolvedSuite {
  readonly suite: SuiteSpec;
  readonly options: SuiteOptions;
  readonly config: AisuiteConfig;
  readonly configFile?: string;
  readonly secretsFile: string;
  /** Non-fatal findings (e.g. a missing models dir for `render`). */
  readonly warnings: readonly string[];
}

export interface ResolveContext {
  /** `up` needs the model files; `render` only warns. */
  readonly requireModels: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

function parsePhase(value: string | number | undefined): Phase {
  if (value === undefined) return 1;
  const n = Number(value);
  if (n === 1 || n === 2 || n === 3) return n;
  throw new UserError(`unknown phase: ${JSON.stringify(String(value))}`, {
    hint: 'Allowed values: 1, 2, 3',
    code: 'UNKNOWN_PHASE',
  });
}

function parseProfile(flags: SuiteFlagValues, config: AisuiteConfig): Profile {
  if (flags.cpu && flags.gpu) {
    throw new UserError('--cpu and --gpu cannot be used together', {
      hint: 'Choose one profile.',
      code: 'PROFILE_CONFLICT',
    });
  }
  if (flags.cpu) return 'cpu';
  if (flags.gpu) return 'gpu';
  const value = flags.profile ?? config.profile ?? 'cpu';
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
  const phase = parsePhase(flags.phase ?? config.phase);
  const profile = parseProfile(flags, config);
  const project = flags.project ?? config.project ?? 'aisuite';
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
  };
  const suite = buildSuite(options);
  const warnings: string[] = [];
  if (profile === 'gpu') {
    const missing = missingModelFiles(suite);
    if (missing.length > 0) {
      const message = `model files missing for --gpu: ${missing.join(', ')}`;
      const hint = `Put the GGUF files in ${modelsDir} (or pass --models-dir), named as gpu.chatModel/gpu.codeModel in aisuite.yaml.`;
      if (ctx.requireModels) throw new UserError(message, { hint, code: 'MODELS_MISSING' });
      warnings.push(`${message}. ${hint}`);
    }
  }
  const secretsFile = secretsFilePath(flags, config, env);
  return { suite, options, config, configFile: file, secretsFile, warnings };
}

/** Host paths of the model files the selected services need, which do not exist. */
export function missingModelFiles(suite: SuiteSpec): string[] {
  if (!fs.existsSync(suite.modelsDir)) return [suite.modelsDir];
  const files = suite.services
    .filter((svc) => svc.gpu !== undefined)
    .map((svc) => svc.command?.[(svc.command?.indexOf('--model') ?? -2) + 1])
    .filter((f): f is string => f !== undefined)
    .map((f) => path.join(suite.modelsDir, path.basename(f)));
  return files.filter((f) => !fs.existsSync(f));
}
