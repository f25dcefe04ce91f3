import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertSameSecretsOrigin } from '../../../src/lib/docker/secrets-origin.js';
import { ensureSecrets } from '../../../src/lib/secrets/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-secrets-origin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function container(service: string, secretsFile?: string): Docker.ContainerInfo {
  const labels: Record<string, string> = { 'io.aisuite.project': 'demo', 'io.aisuite.service': service };
  if (secretsFile) labels['io.aisuite.secrets-file'] = secretsFile;
  return {
    Id: `id-${service}`,
    Names: [`/demo-${service}`],
    Labels: labels,
  } as unknown as Docker.ContainerInfo;
}

/** `<state>/demo/secrets.env`, the default layout, with freshly generated secrets. */
async function stateDir(name: string): Promise<string> {
  const file = path.join(dir, name, 'demo', 'secrets.env');
  await mkdir(path.dirname(file), { recursive: true });
  await ensureSecrets(file);
  return file;
}

describe('assertSameSecretsOrigin', () => {
  it('accepts containers from the same secrets file, and containers without the label (older releases)', async () => {
    const ours = await stateDir('mine');
    await expect(
      assertSameSecretsOrigin('demo', [container('api-gateway', ours), container('rag')], ours),
    ).resolves.toBeUndefined();
  });

  it('refuses containers deployed from another state directory, naming both files and what to do', async () => {
    const ours = await stateDir('mine');
    const theirs = await stateDir('root');
    const err = await assertSameSecretsOrigin(
      'demo',
      [container('api-gateway', theirs), container('postgres', theirs), container('rag', ours)],
      ours,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'SECRETS_ORIGIN_MISMATCH',
      exitCode: 2,
      details: { deployedWith: theirs, thisRun: ours, services: ['api-gateway', 'postgres'] },
    });
    expect((err as Error).message).toContain(theirs);
    expect((err as { hint: string }).hint).toContain(`AISUITE_STATE_DIR=${path.join(dir, 'root')}`);
  });

  it('accepts another file holding the same secrets (a copied state directory)', async () => {
    const ours = await stateDir('mine');
    const copy = path.join(dir, 'copy.env');
    await writeFile(copy, await readFile(ours, 'utf8'));
    await expect(
      assertSameSecretsOrigin('demo', [container('api-gateway', copy)], ours),
    ).resolves.toBeUndefined();
  });

  it('refuses when the other file is gone or ours does not exist yet (nothing to compare)', async () => {
    const ours = path.join(dir, 'new', 'demo', 'secrets.env');
    const gone = path.join(dir, 'custom', 'secrets-prod.env');
    const err = await assertSameSecretsOrigin('demo', [container('api-gateway', gone)], ours).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'SECRETS_ORIGIN_MISMATCH' });
    // not the default layout: the hint names the file for aisuite.yaml
    expect((err as { hint: string }).hint).toContain(`secretsFile: ${gone}`);
  });
});
