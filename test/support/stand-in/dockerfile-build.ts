import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { readDockerJsonStream } from './docker-stream.js';
import type { HostNode } from './hash.js';

type BuildOptions = {
  contextDir: string;
  ref: string;
  labels: Record<string, string>;
  hostNode?: HostNode;
  /** Ignore the engine's layer cache (a true cold build). */
  noCache?: boolean;
  log: (line: string) => void;
};

// A copy of the context, plus the host's node and npm when the recipe asks for them: the build
// context must be one folder, and the host's files live elsewhere.
async function stageContext(opts: BuildOptions): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-standin-ctx-'));
  await cp(opts.contextDir, dir, { recursive: true });
  if (opts.hostNode) {
    await mkdir(path.join(dir, 'node', 'bin'), { recursive: true });
    await cp(opts.hostNode.binary, path.join(dir, 'node', 'bin', 'node'));
    await cp(opts.hostNode.npmDir, path.join(dir, 'node', 'lib', 'node_modules', 'npm'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    // Always present (maybe empty), so the Dockerfile's COPY works with or without headers.
    await mkdir(path.join(dir, 'node', 'include'), { recursive: true });
    if (opts.hostNode.includeDir) {
      await cp(opts.hostNode.includeDir, path.join(dir, 'node', 'include', 'node'), { recursive: true });
    }
  }
  return dir;
}

/** Builds one image with the classic builder from a context folder; never pulls (no registry). */
export async function buildDockerfileImage(docker: Docker, opts: BuildOptions): Promise<void> {
  const dir = await stageContext(opts);
  try {
    const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const stream = await docker.buildImage(tar.stdout, {
      t: opts.ref,
      labels: opts.labels,
      buildargs: opts.hostNode ? { NODE_VERSION: opts.hostNode.nodeVersion } : {},
      rm: true,
      forcerm: true,
      nocache: opts.noCache ?? false,
      pull: false,
      version: '1',
    });
    await readDockerJsonStream(stream, (line) => {
      // Step lines only: enough to follow progress in CI logs without apt's chatter.
      if (/^Step \d+\/\d+ : /.test(line)) opts.log(line.length > 150 ? `${line.slice(0, 147)}...` : line);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
