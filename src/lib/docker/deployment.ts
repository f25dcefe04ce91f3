import type { SuiteFlagValues } from '../cli/suite-flags.js';
import path from 'node:path';
import { renderSuite } from '../render/index.js';
import type { RenderedFile } from '../render/types.js';
import { buildSuite } from '../suite/build.js';
import { resolveSuite, type ResolveContext, type ResolvedSuite } from '../suite/resolve.js';
import { chooseBuildCa, planServicesImage, type ServicesImagePlan } from './services-image.js';

export interface Deployment {
  readonly resolved: ResolvedSuite;
  readonly files: readonly RenderedFile[];
  /** Set when the suite runs package services: what to build and the tag it gets. */
  readonly servicesImage?: ServicesImagePlan;
}

/**
 * Resolve the suite for `up` (and verify): the services image tag is derived from the content of the
 * build context first, so the suite model, the rendered compose file and the containers all name the
 * same `aisuite/services:<version>-<hash>`.
 */
export async function prepareDeployment(
  flags: SuiteFlagValues,
  options: {
    buildCa?: string;
    missingModels?: ResolveContext['missingModels'];
    deployedDefaults?: boolean;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<Deployment> {
  const missingModels = options.missingModels ?? 'error';
  const first = await resolveSuite(flags, {
    missingModels,
    deployedDefaults: options.deployedDefaults,
    env: options.env,
  });
  const usesPackage = first.suite.services.some((s) => s.image.kind === 'package');
  if (!usesPackage) return { resolved: first, files: await renderSuite(first.suite) };
  const build = first.config.build;
  const configDir = first.configFile ? path.dirname(first.configFile) : process.cwd();
  const servicesImage = await planServicesImage({
    nodeImage: build?.nodeImage,
    caFile: chooseBuildCa(options.buildCa, build, configDir),
    withOnnx: first.suite.services.some((s) => s.environment.EMBEDDING_BACKEND === 'onnx'),
    env: options.env,
  });
  // the same options with the content-derived tag (the config file is not read a second time)
  const tagged = { ...first.options, packageImage: servicesImage.ref };
  const resolved: ResolvedSuite = { ...first, options: tagged, suite: buildSuite(tagged) };
  return { resolved, files: await renderSuite(resolved.suite), servicesImage };
}
