import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { selectChecks } from '../../../src/lib/checklist/index.js';
import { probeSchema } from '../../../src/lib/checklist/schema.js';
import { BUILTIN_TEMPLATES } from '../../../src/lib/checklist/definitions.js';
import { targetFor } from './support.js';
import type { ChecklistTarget } from '../../../src/lib/checklist/target.js';

const validateProbe = new Ajv({ strict: true, allowUnionTypes: true, discriminator: true }).compile(
  probeSchema,
);

describe('built-in checklists filled in from the suite model', () => {
  it('phase 3 CPU without grafana: per-service checks, skip reasons, every placeholder filled', async () => {
    const target = await targetFor({
      phase: '3',
      cpu: true,
      without: ['grafana', 'loki', 'alloy', 'cadvisor'],
    });
    const checks = selectChecks(target, { stages: ['pre-flight', 'post-deploy'] });
    const byId = new Map(checks.map((c) => [c.id, c]));

    expect(byId.get('gpu-visible')?.skip).toBe('profile=cpu');
    expect(byId.get('model-file')?.skip).toBe('profile=cpu');
    expect(byId.get('grafana-overview-dashboard')?.skip).toBe('without=grafana');
    expect(byId.get('loki-receiving-logs')?.skip).toBe('without=loki');
    expect(byId.has('health-grafana')).toBe(false);
    expect(byId.get('port-free-api-gateway')?.probe).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 8000,
      expect: 'free',
      project: 'cltest',
    });
    expect(byId.get('health-rag')?.probe).toMatchObject({ url: 'http://127.0.0.1:8002/health' });
    expect(byId.get('health-prometheus')?.probe).toMatchObject({ url: 'http://127.0.0.1:9090/-/ready' });
    expect(byId.get('gateway-chat-roundtrip')?.probe).toMatchObject({
      headers: { authorization: 'Bearer sk-aisuite-test-key-123456' },
    });
    expect(byId.get('containers-running')?.probe).toMatchObject({
      project: 'cltest',
      services: expect.arrayContaining(['api-gateway', 'postgres', 'mcp-server', 'prometheus']),
    });

    for (const c of checks.filter((c) => c.skip === undefined)) {
      expect(JSON.stringify(c.probe), c.id).not.toContain('${');
      expect(validateProbe(c.probe), `${c.id}: ${JSON.stringify(validateProbe.errors)}`).toBe(true);
    }
    // ids are unique and needs only name checks of this selection
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    for (const c of checks) for (const n of c.needs) expect(byId.has(n), `${c.id} needs ${n}`).toBe(true);
  });

  it('phase 1 leaves out later phases with phase=1 and monitoring with monitoring=off', async () => {
    const target = await targetFor({ phase: '1', cpu: true });
    const byId = new Map(selectChecks(target, { stages: ['post-deploy'] }).map((c) => [c.id, c]));
    expect(byId.get('rag-index')?.skip).toBe('phase=1');
    expect(byId.get('mcp-tools')?.skip).toBe('phase=1');
    expect(byId.get('prometheus-ready')?.skip).toBe('monitoring=off');
    expect(byId.get('gateway-chat-roundtrip')?.skip).toBeUndefined();
  });

  it('GPU profile: one model-file check per GGUF file and the GPU check', async () => {
    const target = await targetFor({ phase: '1', gpu: true, 'models-dir': '/srv/models' });
    const checks = selectChecks(target, { stages: ['pre-flight'] });
    expect(checks.filter((c) => c.id.startsWith('model-file-')).map((c) => [c.id, c.probe])).toEqual([
      ['model-file-chat.gguf', { kind: 'file', path: '/srv/models/chat.gguf', minBytes: 1_048_576 }],
      ['model-file-code.gguf', { kind: 'file', path: '/srv/models/code.gguf', minBytes: 1_048_576 }],
    ]);
    expect(checks.find((c) => c.id === 'gpu-visible')?.skip).toBeUndefined();
    // phase 1 has no embedding service
    expect(checks.find((c) => c.id === 'embedding-model')?.skip).toBe('phase=1');
  });

  it("GPU profile from phase 2: the embedding model's ONNX file under the models directory", async () => {
    const target = await targetFor({ phase: '2', gpu: true, 'models-dir': '/srv/models' });
    const check = selectChecks(target, { stages: ['pre-flight'] }).find((c) => c.id === 'embedding-model');
    expect(check?.skip).toBeUndefined();
    expect(check?.probe).toEqual({
      kind: 'file',
      path: '/srv/models/BAAI/bge-small-en-v1.5/onnx/model.onnx',
      minBytes: 1_048_576,
    });
    expect(check?.remedy).toContain(
      'Put the ONNX export of BAAI/bge-small-en-v1.5 into /srv/models/BAAI/bge-small-en-v1.5',
    );
    const cpu = await targetFor({ phase: '2', cpu: true });
    expect(selectChecks(cpu, { stages: ['pre-flight'] }).find((c) => c.id === 'embedding-model')?.skip).toBe(
      'profile=cpu',
    );
  });

  it('uses base URL overrides for a suite this host did not start', async () => {
    const target = await targetFor(
      { phase: '3', cpu: true },
      { urls: { prometheus: 'http://10.0.0.5:9090/' } },
    );
    const check = selectChecks(target, { stages: ['post-deploy'] }).find(
      (c) => c.id === 'prometheus-targets-up',
    );
    expect(check?.probe).toMatchObject({ url: 'http://10.0.0.5:9090' });
  });

  it('every Prometheus target up: every scrape job of the selection must have an `up` series', async () => {
    const target = await targetFor({
      phase: '3',
      cpu: true,
      without: ['grafana', 'loki', 'alloy', 'cadvisor'],
    });
    const check = selectChecks(target, { stages: ['post-deploy'] }).find(
      (c) => c.id === 'prometheus-targets-up',
    );
    expect(check?.probe).toMatchObject({
      kind: 'promql',
      query: 'up',
      expectLabel: {
        name: 'job',
        values: [
          'inference-chat',
          'inference-code',
          'api-gateway',
          'embedding',
          'rag',
          'mcp-server',
          'prometheus',
          'alertmanager',
          'node-exporter',
          'postgres-exporter',
        ],
      },
    });
  });

  it('every Prometheus target up retries for two scrape intervals of the suite', async () => {
    const target = await targetFor({ phase: '3', cpu: true });
    const timing = (t: ChecklistTarget) =>
      selectChecks(t, { stages: ['post-deploy'] }).find((c) => c.id === 'prometheus-targets-up')?.timing;
    // 15 s by default: 30 s of retries every 2 s, plus the first attempt
    expect(target.scrapeIntervalSeconds).toBe(15);
    expect(timing(target)).toMatchObject({ periodSeconds: 2, failureThreshold: 16 });
    expect(timing({ ...target, scrapeIntervalSeconds: 5 })).toMatchObject({
      periodSeconds: 2,
      failureThreshold: 6,
    });
    expect(timing({ ...target, scrapeIntervalSeconds: 60 })).toMatchObject({ failureThreshold: 61 });
  });

  it('a missing secret makes the check fail with a clear message instead of sending no key', async () => {
    const target = await targetFor({ phase: '1', cpu: true }, { secrets: {} });
    const check = selectChecks(target, { stages: ['post-deploy'] }).find(
      (c) => c.id === 'gateway-chat-roundtrip',
    );
    expect(check?.invalid).toBe('secret gateway-api-key is missing from /tmp/aisuite-cltest/secrets.env');
  });

  it('--only selects checks with what they need; a template id selects its per-item checks', async () => {
    const target = await targetFor({ phase: '3', cpu: true });
    const ids = selectChecks(target, { stages: ['post-deploy'], only: ['rag-query'] }).map((c) => c.id);
    expect(ids).toEqual(['health-rag', 'rag-index', 'rag-query']);
    const health = selectChecks(target, { stages: ['post-deploy'], only: ['health'] }).map((c) => c.id);
    expect(health).toContain('health-api-gateway');
    expect(() => selectChecks(target, { stages: ['post-deploy'], only: ['nope'] })).toThrow(
      /unknown check id: nope/,
    );
  });

  it('every built-in template has an id, a title, a remedy, and needs that exist', () => {
    const ids = new Set(BUILTIN_TEMPLATES.map((t) => t.id));
    expect(ids.size).toBe(BUILTIN_TEMPLATES.length);
    for (const t of BUILTIN_TEMPLATES) {
      expect(t.remedy.length, t.id).toBeGreaterThan(10);
      for (const need of t.needs ?? []) {
        expect(
          [...ids].some((id) => need === id || need.startsWith(`${id}-`)),
          `${t.id} needs ${need}`,
        ).toBe(true);
      }
    }
  });
});
