import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertPreflight,
  checkDisk,
  checkGpu,
  checkModels,
  checkPorts,
  defaultMinFreeGb,
  findPortHolder,
  runPreflight,
  tryListen,
} from '../../../src/lib/preflight/index.js';
import { dockerFor } from '../../../src/lib/docker/engine-http.js';
import { buildSuite } from '../../../src/lib/suite/build.js';
import type { SuiteSpec } from '../../../src/lib/suite/types.js';
import { suiteOptions } from '../../support/suite-options.js';

function suiteWithPorts(ports: Record<string, number>, profile: 'cpu' | 'gpu' = 'cpu'): SuiteSpec {
  return buildSuite({
    project: 'pf',
    phase: 1,
    profile,
    monitoring: false,
    without: [],
    images: {},
    ports,
    bindAddress: '127.0.0.1',
    alerting: { webhook: [], slack: [], email: [] },
    packageImage: 'aisuite/services:x',
    modelsDir: '/nonexistent/models',
    nGpuLayers: 1,
    chatModelFile: 'chat.gguf',
    codeModelFile: 'code.gguf',
    contextSize: 512,
    embeddingModel: 'm',
    lokiRetentionHours: 24,
  });
}

const servers: net.Server[] = [];
async function listen(): Promise<number> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}
async function freePort(): Promise<number> {
  const port = await listen();
  await new Promise((r) => servers.pop()?.close(r));
  return port;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('ports', () => {
  it('passes when every host port is free', async () => {
    const ports = {
      'inference-chat': await freePort(),
      'inference-code': await freePort(),
      'api-gateway': await freePort(),
    };
    const check = await checkPorts(suiteWithPorts(ports));
    expect(check.ok).toBe(true);
    expect(check.message).toContain(String(ports['api-gateway']));
  });

  it('names the port, the service and the process that holds it (this test process)', async () => {
    const taken = await listen();
    const ports = {
      'inference-chat': await freePort(),
      'inference-code': await freePort(),
      'api-gateway': taken,
    };
    const check = await checkPorts(suiteWithPorts(ports));
    expect(check.ok).toBe(false);
    expect(check.message).toContain(`127.0.0.1:${taken} (api-gateway) is in use by pid ${process.pid}`);
    expect(await tryListen('127.0.0.1', taken)).toBe('EADDRINUSE');
    expect(await findPortHolder(taken)).toMatch(new RegExp(`^pid ${process.pid} \\(`));
    expect(() => assertPreflight([check])).toThrow(/in use/);
  });

  it('does not count ports the project itself holds', async () => {
    const taken = await listen();
    const ports = {
      'inference-chat': await freePort(),
      'inference-code': await freePort(),
      'api-gateway': taken,
    };
    const check = await checkPorts(suiteWithPorts(ports), { own: new Set([taken]) });
    expect(check.ok).toBe(true);
  });
});

describe('disk, models, GPU', () => {
  it('measures free space on the nearest existing directory', async () => {
    const ok = await checkDisk('/tmp/does/not/exist/yet', 0);
    expect(ok).toMatchObject({ ok: true, details: { path: '/tmp' } });
    const tooMuch = await checkDisk('/tmp', 1_000_000);
    expect(tooMuch.ok).toBe(false);
    expect(tooMuch.message).toMatch(/at least 1000000 GB needed/);
  });

  it('needs 20 GB for the GPU profile by default, configurable', () => {
    expect(defaultMinFreeGb('gpu', {})).toBe(20);
    expect(defaultMinFreeGb('cpu', {})).toBe(2);
    expect(defaultMinFreeGb('gpu', { AISUITE_MIN_FREE_DISK_GB: '5' })).toBe(5);
  });

  it('reports missing model files and a missing GPU', async () => {
    const models = checkModels(suiteWithPorts({}, 'gpu'));
    expect(models.ok).toBe(false);
    expect(models.message).toContain('/nonexistent/models');
    const gpu = await checkGpu(async () => ({ available: false, reason: 'nvidia-smi not found' }));
    expect(gpu).toMatchObject({ ok: false, message: 'no GPU visible: nvidia-smi not found' });
    const seen = await checkGpu(async () => ({
      available: true,
      gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559 }],
    }));
    expect(seen).toMatchObject({ ok: true, message: 'GPU 0: NVIDIA H100 80GB HBM3 (81559 MiB)' });
  });

  it("for --gpu from phase 2 on, also checks the embedding model's ONNX files, and says where they go", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-models-'));
    try {
      await fs.writeFile(path.join(dir, 'chat.gguf'), '');
      await fs.writeFile(path.join(dir, 'code.gguf'), '');
      const suite = buildSuite(suiteOptions({ phase: 2, profile: 'gpu', modelsDir: dir }));
      const model = path.join(dir, 'BAAI', 'bge-small-en-v1.5');
      const missing = checkModels(suite);
      expect(missing.ok).toBe(false);
      expect(missing.message).toBe(
        `model files missing for --gpu: ${path.join(model, 'config.json')}, ${path.join(model, 'onnx', 'model.onnx')}`,
      );
      expect(missing.hint).toBe(
        `Put the ONNX export of BAAI/bge-small-en-v1.5 in ${model} (config.json, the tokenizer files, ` +
          'onnx/model.onnx: docs/services.md, "Adding a model"); another model is set with embedding.model in aisuite.yaml.',
      );
      // phase 1 has no embedding service: the GGUF files are all it needs
      expect(checkModels(buildSuite(suiteOptions({ phase: 1, profile: 'gpu', modelsDir: dir }))).ok).toBe(
        true,
      );
      await fs.mkdir(path.join(model, 'onnx'), { recursive: true });
      await fs.writeFile(path.join(model, 'config.json'), '{}');
      await fs.writeFile(path.join(model, 'onnx', 'model.onnx'), '');
      expect(checkModels(suite)).toMatchObject({ ok: true, message: `model files present in ${dir}` });
      // both kinds missing: one hint each
      await fs.rm(path.join(dir, 'code.gguf'));
      await fs.rm(path.join(model, 'config.json'));
      expect(checkModels(suite).hint).toMatch(
        /^Put code\.gguf \(GGUF\) in .*aisuite\.yaml\. Put the ONNX export of BAAI/,
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('combines several failures into one error', () => {
    expect(() =>
      assertPreflight([
        { id: 'disk', ok: false, message: 'disk low', hint: 'free space' },
        { id: 'gpu', ok: false, message: 'no gpu' },
        { id: 'engine', ok: true, message: 'ok' },
      ]),
    ).toThrow(/pre-flight failed:\n {2}- disk low\n {2}- no gpu/);
  });
});

describe('runPreflight against the real engine', () => {
  it('checks engine, ports and Docker data root disk; an engine answer already in hand is not asked again', async () => {
    const suite = suiteWithPorts({
      'inference-chat': await freePort(),
      'inference-code': await freePort(),
      'api-gateway': await freePort(),
    });
    const docker = dockerFor();
    const checks = await runPreflight(suite, { docker });
    expect(checks.map((c) => [c.id, c.ok])).toEqual([
      ['engine', true],
      ['ports', true],
      ['disk', true],
    ]);
    expect(checks[0]?.message).toMatch(/^Docker \S+ \(API \d+\.\d+\)$/);
    const info = (await docker.info()) as { DockerRootDir?: string };
    expect(checks[2]?.message).toContain(info.DockerRootDir ?? '');
    // the caller's answer is used as it is (up pings the engine while it lists the containers)
    const given = await runPreflight(suite, {
      docker,
      engine: { version: 'given', apiVersion: '9.99', os: 'x' },
    });
    expect(given[0]).toMatchObject({ id: 'engine', ok: true, message: 'Docker given (API 9.99)' });
  });

  it('stops at the engine when none answers, with how to start one', async () => {
    const suite = suiteWithPorts({});
    const docker = dockerFor({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    const checks = await runPreflight(suite, { docker });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ id: 'engine', ok: false });
    expect(checks[0]?.message).toMatch(/not reachable/);
    expect(checks[0]?.hint).toBeTruthy();
  });
});
