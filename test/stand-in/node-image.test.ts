import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmpty, listByLabel, removeByLabel } from '../support/docker-leftovers.js';
import { TEST_RUN_LABEL, runOnce } from '../support/stand-in/containers.js';
import { ensureStandInImages } from '../support/stand-in/images.js';
import { BUILD_TIMEOUT_MS } from '../support/stand-in/timeouts.js';
import { findHostNode } from '../support/stand-in/hash.js';

// Contract of aisuite-standin/node:20-bookworm-slim against the official node:20-bookworm-slim layout.
const docker = new Docker();
const run = randomUUID();
const labels = { [TEST_RUN_LABEL]: run };
let image: string;

beforeAll(async () => {
  image = (await ensureStandInImages(['node'])).node!;
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await removeByLabel(TEST_RUN_LABEL, run, docker);
});

describe('node stand-in', { timeout: 180_000 }, () => {
  it('runs node and npm as user node (uid/gid 1000, HOME /home/node)', async () => {
    const host = await findHostNode();
    const result = await runOnce(
      docker,
      image,
      ['sh', '-c', 'node -v && npm -v && id -u && id -g && echo "$HOME"'],
      {
        user: 'node',
        labels,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `v${host.nodeVersion}`,
      host.npmVersion,
      '1000',
      '1000',
      '/home/node',
    ]);
  });

  it('lays out node, npm and npx like the official image, with CMD node behind docker-entrypoint.sh', async () => {
    const info = await docker.getImage(image).inspect();
    expect(info.Config.Entrypoint).toEqual(['docker-entrypoint.sh']);
    expect(info.Config.Cmd).toEqual(['node']);
    expect(info.Config.Env).toContain(`NODE_VERSION=${process.versions.node}`);
    const result = await runOnce(
      docker,
      image,
      [
        'sh',
        '-c',
        'for c in node npm npx; do command -v $c; done && readlink /usr/local/bin/npm /usr/local/bin/npx && test -s /etc/ssl/certs/ca-certificates.crt && getent passwd node',
      ],
      { labels },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      '/usr/local/bin/node',
      '/usr/local/bin/npm',
      '/usr/local/bin/npx',
      '../lib/node_modules/npm/bin/npm-cli.js',
      '../lib/node_modules/npm/bin/npx-cli.js',
      'node:x:1000:1000::/home/node:/bin/bash',
    ]);
  });

  it('carries the Node headers of the same version in /usr/local/include/node, as the official image does', async () => {
    const result = await runOnce(
      docker,
      image,
      [
        'sh',
        '-c',
        'grep -E "define NODE_(MAJOR|MINOR|PATCH)_VERSION" /usr/local/include/node/node_version.h && test -f /usr/local/include/node/node_api.h',
      ],
      { labels },
    );
    expect(result.exitCode).toBe(0);
    const version = [...result.stdout.matchAll(/VERSION (\d+)/g)].map((m) => m[1]).join('.');
    expect(version).toBe(process.versions.node);
  });

  it('passes a leading flag to node, as the official entrypoint does', async () => {
    const result = await runOnce(docker, image, ['-p', '1 + 41'], { labels });
    expect(result).toMatchObject({ exitCode: 0, stdout: '42\n' });
  });

  it('lets npm read a CA bundle from npm_config_cafile (how builds behind a TLS proxy pass it)', async () => {
    const result = await runOnce(docker, image, ['npm', 'config', 'get', 'cafile'], {
      labels,
      user: 'node',
      env: ['npm_config_cafile=/etc/ssl/certs/ca-certificates.crt'],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: '/etc/ssl/certs/ca-certificates.crt\n' });
  });

  it('left no container of this run behind', async () => {
    expect(isEmpty(await listByLabel(TEST_RUN_LABEL, run, docker))).toBe(true);
  });
});
