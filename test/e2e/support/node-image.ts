import { readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { execa } from 'execa';
import { E2E_IMAGES } from './context.js';

const log = (line: string) => process.stderr.write(`[e2e setup] ${line}\n`);

async function hasNodeHeaders(docker: Docker, image: string): Promise<boolean> {
  const result = await execa(
    'docker',
    ['run', '--rm', '--entrypoint', 'test', image, '-f', '/usr/local/include/node/node.h'],
    {
      reject: false,
    },
  );
  void docker;
  return result.exitCode === 0;
}

/**
 * The official node image carries the Node headers that node-gyp needs to compile better-sqlite3
 * offline; the stand-in (the host's node binary) may not. Add the host's headers (same Node version,
 * checked) in a derived image, so the services image builds with no download at all.
 */
export async function nodeImageWithHeaders(docker: Docker, standIn: string): Promise<string> {
  if (await hasNodeHeaders(docker, standIn)) return standIn;
  const versionHeader = await readFile('/usr/include/node/node_version.h', 'utf8').catch(() => '');
  const v = (name: string) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(versionHeader)?.[1];
  const headersVersion = `${v('MAJOR')}.${v('MINOR')}.${v('PATCH')}`;
  if (headersVersion !== process.versions.node) {
    throw new Error(
      `${standIn} has no Node headers and /usr/include/node is for ${headersVersion}, not ${process.versions.node}`,
    );
  }
  const id = (await docker.getImage(standIn).inspect()).Id.replace('sha256:', '').slice(0, 12);
  const ref = `${E2E_IMAGES.nodeWithHeaders}-${id}`;
  const exists = await docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (exists) return ref;
  log(`building ${ref} (${standIn} + the host's Node ${headersVersion} headers)`);
  const dir = '/usr/include';
  await execa('docker', ['build', '-q', '-t', ref, '-f', '-', dir], {
    input: `FROM ${standIn}\nCOPY node /usr/local/include/node\n`,
  });
  return ref;
}
