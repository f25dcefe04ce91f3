/** prepareDeployment: one suite model, rendered file and containers naming the content-derived services image. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareDeployment } from '../../../src/lib/docker/deployment.js';
import { planServicesImage } from '../../../src/lib/docker/services-image.js';

describe('prepareDeployment', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-deploy-'));
    env = { ...process.env, AISUITE_STATE_DIR: path.join(dir, 'state') };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the content-derived services image everywhere, keeping the config as read', async () => {
    const config = path.join(dir, 'aisuite.yaml');
    await writeFile(config, 'project: deploytest\nphase: 2\nports:\n  api-gateway: 18999\n');
    const { resolved, files, servicesImage } = await prepareDeployment(
      { config, cpu: true },
      { missingModels: 'error', env },
    );
    const expected = await planServicesImage({ env });
    expect(servicesImage?.ref).toBe(expected.ref);
    expect(servicesImage?.ref).toMatch(/^aisuite\/services:[\w.-]+-[0-9a-f]{12}$/);
    expect(resolved.options.packageImage).toBe(expected.ref);
    const packaged = resolved.suite.services.filter((s) => s.image.kind === 'package');
    expect(packaged.map((s) => s.name)).toEqual(
      expect.arrayContaining(['api-gateway', 'inference-chat', 'embedding', 'rag']),
    );
    for (const svc of packaged) expect(svc.image.ref).toBe(expected.ref);
    const compose = files.find((f) => f.path === 'compose.yaml')?.content ?? '';
    expect(compose).toContain(`image: ${expected.ref}`);
    expect(compose).not.toMatch(/image: aisuite\/services:[\w.]+\n/);
    // what the config file said is still what the resolved suite says
    expect(resolved.suite.project).toBe('deploytest');
    expect(resolved.suite.phase).toBe(2);
    expect(resolved.suite.services.find((s) => s.name === 'api-gateway')?.ports[0]?.host).toBe(18999);
    expect(resolved.configFile).toBe(config);
  });
});
