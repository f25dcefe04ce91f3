import { describe, expect, it } from 'vitest';
import { buildSuite, startOrder } from '../../../src/lib/suite/build.js';
import { AisuiteError } from '../../../src/lib/errors.js';
import { suiteOptions } from '../../support/suite-options.js';

const names = (opts = {}) => buildSuite(suiteOptions(opts)).services.map((s) => s.name);

function userError(fn: () => unknown): AisuiteError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AisuiteError);
    expect((error as AisuiteError).exitCode).toBe(2);
    return error as AisuiteError;
  }
  throw new Error('expected a UserError');
}

describe('suite model', () => {
  it('phases are cumulative and monitoring is on by default from phase 3', () => {
    expect(names({ phase: 1 })).toEqual(['inference-chat', 'inference-code', 'api-gateway']);
    expect(names({ phase: 2 })).toEqual([
      'inference-chat',
      'inference-code',
      'api-gateway',
      'embedding',
      'postgres',
      'rag',
    ]);
    const phase3 = names({ phase: 3 });
    expect(phase3).toContain('mcp-server');
    expect(phase3).toEqual(
      expect.arrayContaining([
        'prometheus',
        'alertmanager',
        'grafana',
        'loki',
        'alloy',
        'cadvisor',
        'node-exporter',
        'postgres-exporter',
      ]),
    );
    expect(names({ phase: 3, monitoring: false })).not.toContain('prometheus');
    expect(names({ phase: 1, monitoring: true })).toContain('prometheus');
    // no Postgres in phase 1: no postgres-exporter either
    expect(names({ phase: 1, monitoring: true })).not.toContain('postgres-exporter');
  });

  it('the CPU profile runs mock-inference from the package image under the same service names', () => {
    const suite = buildSuite(suiteOptions({ profile: 'cpu' }));
    const chat = suite.services.find((s) => s.name === 'inference-chat')!;
    expect(chat.image).toEqual({ kind: 'package', ref: 'aisuite/services:0.1.0' });
    expect(chat.command).toEqual(['node', 'dist/services/main.js', 'mock-inference']);
    expect(chat.gpu).toBeUndefined();
    expect(chat.user).toBe('1000:1000');
  });

  it('the GPU profile runs llama.cpp with the model from the models dir, GPU layers, metrics and an explicit host/port', () => {
    const suite = buildSuite(
      suiteOptions({ profile: 'gpu', nGpuLayers: 33, modelsDir: '/data/models', chatModelFile: 'qwen.gguf' }),
    );
    const chat = suite.services.find((s) => s.name === 'inference-chat')!;
    expect(chat.image.kind).toBe('registry');
    expect(chat.image.ref).toMatch(/llama\.cpp:server-cuda/);
    const cmd = chat.command!.join(' ');
    expect(cmd).toContain('--model /models/qwen.gguf');
    expect(cmd).toContain('--host 0.0.0.0');
    expect(cmd).toContain('--port 8080');
    expect(cmd).toContain('--n-gpu-layers 33');
    expect(chat.command).toContain('--metrics');
    expect(chat.binds).toContainEqual({ source: '/data/models', target: '/models', readOnly: true });
    expect(chat.gpu).toEqual({ driver: 'nvidia', count: 'all', capabilities: ['gpu'] });
    expect(chat.timeBudgetSeconds).toBeGreaterThanOrEqual(300);
  });

  it('every published port has a host port from DESIGN.md and services carry readiness and metrics paths', () => {
    const suite = buildSuite(suiteOptions({ phase: 3 }));
    const host = Object.fromEntries(suite.services.map((s) => [s.name, s.ports[0]?.host]));
    expect(host).toMatchObject({
      'api-gateway': 8000,
      'inference-chat': 8001,
      rag: 8002,
      embedding: 8003,
      'inference-code': 8004,
      postgres: 5432,
      'mcp-server': 8020,
      prometheus: 9090,
      alertmanager: 9093,
      grafana: 3001,
      loki: 3100,
      cadvisor: 8080,
      'node-exporter': 9100,
    });
    for (const svc of suite.services.filter((s) => s.image.kind === 'package')) {
      expect(svc.readiness).toEqual({ port: 8080, path: '/readyz' });
      expect(svc.metrics).toEqual({ port: 8080, path: '/metrics' });
    }
  });

  it('the docker socket is mounted read-only and only where a component needs it', () => {
    const suite = buildSuite(suiteOptions({ phase: 3 }));
    const withSocket = suite.services.filter((s) => s.binds.some((b) => b.source === '/var/run/docker.sock'));
    expect(withSocket.map((s) => s.name).sort()).toEqual(['alloy', 'cadvisor']);
    for (const svc of withSocket)
      expect(svc.binds.find((b) => b.source === '/var/run/docker.sock')!.readOnly).toBe(true);
  });

  it('secrets are referenced by name, never stored in the plain environment', () => {
    const suite = buildSuite(suiteOptions({ phase: 3 }));
    const gateway = suite.services.find((s) => s.name === 'api-gateway')!;
    expect(gateway.secrets).toEqual({ GATEWAY_API_KEY: 'gateway-api-key' });
    expect(Object.keys(gateway.environment)).not.toContain('GATEWAY_API_KEY');
    const mcp = suite.services.find((s) => s.name === 'mcp-server')!;
    expect(mcp.environment.SUITE_HEALTH_TARGETS).toContain('rag=http://rag:8080/health');
    expect(mcp.environment.MCP_ALLOWED_HOSTS).toBe('mcp-server:8080,127.0.0.1:8020,localhost:8020');
  });

  it("the mcp-server's allowed Host values follow its published port and bind address", () => {
    const suite = buildSuite(
      suiteOptions({ phase: 3, ports: { 'mcp-server': 18020 }, bindAddress: '10.0.0.5' }),
    );
    const mcp = suite.services.find((s) => s.name === 'mcp-server')!;
    expect(mcp.environment.MCP_ALLOWED_HOSTS).toBe(
      'mcp-server:8080,127.0.0.1:18020,localhost:18020,10.0.0.5:18020',
    );
  });

  it("the gateway's embeddings passthrough is off when no embedding service is selected", () => {
    const env = (opts = {}) =>
      buildSuite(suiteOptions(opts)).services.find((s) => s.name === 'api-gateway')!.environment;
    expect(env({ phase: 1 }).EMBEDDING_URL).toBe('off');
    expect(env({ phase: 2 }).EMBEDDING_URL).toBe('http://embedding:8080');
    expect(env({ phase: 2, without: ['embedding'] }).EMBEDDING_URL).toBe('off');
  });

  it("the gateway's router settings become its ROUTER_* variables; unset ones are left to its defaults", () => {
    const router = (gateway?: object) =>
      Object.fromEntries(
        Object.entries(
          buildSuite(suiteOptions({ phase: 1, ...(gateway ? { gateway } : {}) })).services.find(
            (s) => s.name === 'api-gateway',
          )!.environment,
        ).filter(([k]) => k.startsWith('ROUTER_')),
      );
    expect(router()).toEqual({});
    expect(
      router({
        timeoutSeconds: 600,
        streamTimeoutSeconds: 45,
        numRetries: 0,
        allowedFails: 5,
        cooldownSeconds: 30,
        fallbacks: { code: ['chat'], chat: [] },
        codeRouting: false,
      }),
    ).toEqual({
      ROUTER_TIMEOUT: '600s',
      ROUTER_STREAM_TIMEOUT: '45s',
      ROUTER_NUM_RETRIES: '0',
      ROUTER_ALLOWED_FAILS: '5',
      ROUTER_COOLDOWN_TIME: '30s',
      // LiteLLM's list, in group order; an empty list: no fallback for that group
      ROUTER_FALLBACKS: '[{"chat":[]},{"code":["chat"]}]',
      ROUTER_CODE_ROUTING: 'false',
    });
    // no fallbacks at all
    expect(router({ fallbacks: {} })).toEqual({ ROUTER_FALLBACKS: '[]' });
  });

  it('image and port overrides apply per service', () => {
    const suite = buildSuite(
      suiteOptions({
        phase: 2,
        images: { postgres: 'mirror.local:5000/pgvector/pgvector:pg17' },
        ports: { postgres: 15432 },
      }),
    );
    const pg = suite.services.find((s) => s.name === 'postgres')!;
    expect(pg.image.ref).toBe('mirror.local:5000/pgvector/pgvector:pg17');
    expect(pg.ports[0]!.host).toBe(15432);
  });

  it('--without removes services and the dependencies on them', () => {
    const suite = buildSuite(suiteOptions({ phase: 3, without: ['grafana', 'loki', 'alloy', 'cadvisor'] }));
    const list = suite.services.map((s) => s.name);
    expect(list).not.toEqual(expect.arrayContaining(['grafana']));
    expect(list).toContain('prometheus');
    expect(suite.volumes).not.toContain('loki-data');
    // Alloy ships logs to Loki: without Loki it goes too, even if not named
    expect(names({ phase: 3, without: ['loki'] })).not.toContain('alloy');
  });

  it('startOrder puts every service after its dependencies', () => {
    const waves = startOrder(buildSuite(suiteOptions({ phase: 3 })));
    const wave = (name: string) => waves.findIndex((w) => w.some((s) => s.name === name));
    expect(wave('rag')).toBeGreaterThan(wave('postgres'));
    expect(wave('api-gateway')).toBeGreaterThan(wave('inference-chat'));
    expect(wave('mcp-server')).toBeGreaterThan(wave('rag'));
    expect(waves[0]!.length).toBeGreaterThan(1); // independent services start together
  });

  describe('bad input is a user error (exit 2) that says what to do', () => {
    it('unknown phase and profile', () => {
      expect(userError(() => buildSuite(suiteOptions({ phase: 4 as never }))).message).toMatch(
        /unknown phase/,
      );
      expect(userError(() => buildSuite(suiteOptions({ profile: 'tpu' as never }))).hint).toMatch(/cpu, gpu/);
    });
    it('an unknown service in --without lists the allowed values', () => {
      const error = userError(() => buildSuite(suiteOptions({ without: ['grafanna', 'xyz'] })));
      expect(error.message).toBe('unknown services in --without: grafanna (did you mean "grafana"?), xyz');
      expect(error.hint).toContain('grafana');
    });
    it('an invalid image reference', () => {
      expect(
        userError(() => buildSuite(suiteOptions({ images: { postgres: 'Bad Image!' } }))).message,
      ).toMatch(/invalid image reference for postgres/);
    });
    it('two services on one host port are both named', () => {
      const error = userError(() =>
        buildSuite(suiteOptions({ phase: 1, ports: { 'inference-chat': 8000 } })),
      );
      expect(error.message).toContain('api-gateway');
      expect(error.message).toContain('inference-chat');
      expect(error.message).toContain('8000');
    });
    it('leaving out what a kept service waits for (healthy) says which and how', () => {
      const error = userError(() => buildSuite(suiteOptions({ phase: 2, without: ['postgres'] })));
      expect(error.code).toBe('MISSING_DEPENDENCY');
      expect(error.message).toBe('rag needs postgres, which --without leaves out');
      expect(error.hint).toBe('Leave out rag too (--without postgres,rag), or keep postgres.');
      // the hint's selection is accepted; a `started` dependency only degrades (the gateway, one backend)
      expect(names({ phase: 2, without: ['postgres', 'rag'] })).not.toContain('postgres-exporter');
      expect(names({ phase: 1, without: ['inference-code'] })).toContain('api-gateway');
    });
    it('a selection with no service', () => {
      expect(
        userError(() =>
          buildSuite(suiteOptions({ without: ['inference-chat', 'inference-code', 'api-gateway'] })),
        ).code,
      ).toBe('EMPTY_SUITE');
    });
  });
});
