import { fileURLToPath } from 'node:url';
import { rm } from 'node:fs/promises';
import Docker from 'dockerode';
import { execa } from 'execa';
import type { TestProject } from 'vitest/node';
import { ImageClient } from '../../src/lib/docker/images.js';
import {
  ensureServicesImage,
  planServicesImage,
  SYSTEM_CA_BUNDLE,
} from '../../src/lib/docker/services-image.js';
import { ensureStandInImages, standInImageOverrides } from '../support/stand-in/images.js';
import { E2E_IMAGES, type E2eContext } from './support/context.js';
import { preparePackageCopy } from './support/package-copy.js';
import { nodeImageWithHeaders } from './support/node-image.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const E2E_PACKAGE_ROOT = `/tmp/aisuite-e2e-package-${process.pid}`;
const log = (line: string) => process.stderr.write(`[e2e setup] ${line}\n`);

/** Tiny images for the fault tests: one that exits at once, one that runs and never answers. */
async function buildFaultImages(base: string): Promise<void> {
  const images: Record<string, string> = {
    [E2E_IMAGES.crasher]: `FROM ${base}\nENTRYPOINT ["sh", "-c", "echo 'crasher: boom before ready' >&2; exit 3", "--"]\n`,
    [E2E_IMAGES.sleeper]: `FROM ${base}\nENTRYPOINT ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait", "--"]\n`,
  };
  for (const [ref, dockerfile] of Object.entries(images)) {
    await execa('docker', ['build', '-q', '-t', ref, '-'], { input: dockerfile });
  }
}

export async function teardown(): Promise<void> {
  await rm(E2E_PACKAGE_ROOT, { recursive: true, force: true });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const docker = new Docker();
  log('npm run build');
  const build = await execa('npm', ['run', 'build'], { cwd: ROOT, reject: false });
  if (build.exitCode !== 0) log(`npm run build failed (the tests use their own copy):\n${build.stdout}`);
  // A private compiled copy of the package (see package-copy.ts for why not only the shared dist/).
  log(`compiling the package into ${E2E_PACKAGE_ROOT}`);
  await preparePackageCopy(ROOT, E2E_PACKAGE_ROOT);
  log('stand-in images');
  const refs = await ensureStandInImages([
    'debian-bookworm',
    'node',
    'postgres',
    'prometheus',
    'alertmanager',
    'node-exporter',
    'postgres-exporter',
  ]);
  const nodeImage = await nodeImageWithHeaders(docker, refs.node as string);
  await buildFaultImages(refs['debian-bookworm'] as string);
  // Build the services image once through the same code `up` uses, so the tests measure `up`, not npm ci.
  const plan = await planServicesImage({ root: E2E_PACKAGE_ROOT, nodeImage, caFile: SYSTEM_CA_BUNDLE });
  log(`services image ${plan.ref}`);
  const built = await ensureServicesImage(new ImageClient(docker), plan, {
    onProgress: (line) => process.stderr.write(`[services image] ${line}\n`),
  });
  log(`services image ${built.built ? `built in ${built.seconds.toFixed(0)}s` : 'present'}`);
  const context: E2eContext = {
    packageRoot: E2E_PACKAGE_ROOT,
    nodeImage,
    servicesImage: plan.ref,
    images: standInImageOverrides(),
  };
  project.provide('e2e', context);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}
