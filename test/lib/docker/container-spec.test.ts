import { describe, expect, it } from 'vitest';
import { bindSource, containerName, containerOptions } from '../../../src/lib/docker/container-spec.js';
import { changedParts, desiredConfig, filesOf, secretEnv } from '../../../src/lib/docker/desired.js';
import { buildSuite, type SuiteOptions } from '../../../src/lib/suite/build.js';
import type { Secrets } from '../../../src/lib/secrets/store.js';

const options = (over: Partial<SuiteOptions> = {}): SuiteOptions => ({
  project: 'demo',
  phase: 3,
  profile: 'cpu',
  monitoring: true,
  without: [],
  images: {},
  ports: {},
  bindAddress: '127.0.0.1',
  alerting: { webhook: [], slack: [], email: [] },
  packageImage: 'aisuite/services:0.1.0-abc',
  modelsDir: '/srv/models',
  nGpuLayers: 99,
  chatModelFile: 'chat.gguf',
  codeModelFile: 'code.gguf',
  contextSize: 8192,
  embeddingModel: 'BAAI/bge-small-en-v1.5',
  lokiRetentionHours: 168,
  ...over,
});

const secrets: Secrets = {
  'gateway-api-key': 'sk-aisuite-one',
  'grafana-admin-password': 'grafana-pass',
  'postgres-password': 'pg-pass-one',
  'mcp-admin-token': 'mcp-token',
};
const service = (suite: ReturnType<typeof buildSuite>, name: string) => {
  const svc = suite.services.find((s) => s.name === name);
  if (!svc) throw new Error(`no ${name}`);
  return svc;
};

describe('containerOptions', () => {
  const suite = buildSuite(options());

  it('names, labels, ports, env with secrets, user, hardening for a package service', () => {
    const gateway = service(suite, 'api-gateway');
    const opts = containerOptions(suite, gateway, {
      configHash: 'h1',
      release: '0.1.0',
      secretEnv: secretEnv(gateway, secrets),
      renderedDir: '/state/demo/rendered',
      secretsFile: '/state/demo/secrets.env',
    });
    expect(opts.name).toBe(containerName('demo', 'api-gateway'));
    expect(opts.name).toBe('demo-api-gateway');
    expect(opts.Image).toBe('aisuite/services:0.1.0-abc');
    expect(opts.Cmd).toEqual(['node', 'dist/services/main.js', 'api-gateway']);
    expect(opts.User).toBe('1000:1000');
    expect(opts.Labels).toEqual({
      'io.aisuite.project': 'demo',
      'io.aisuite.service': 'api-gateway',
      'io.aisuite.config-hash': 'h1',
      'io.aisuite.release': '0.1.0',
      'io.aisuite.phase': 'phase1',
      'io.aisuite.secrets-file': '/state/demo/secrets.env',
    });
    expect(opts.Env).toContain('GATEWAY_API_KEY=sk-aisuite-one');
    expect(opts.Env).toContain('PORT=8080');
    expect(opts.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(opts.HostConfig?.PortBindings).toEqual({
      '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '8000' }],
    });
    expect(opts.HostConfig?.NetworkMode).toBe('demo-net');
    expect(opts.NetworkingConfig?.EndpointsConfig?.['demo-net']?.Aliases).toEqual(['api-gateway']);
    expect(opts.HostConfig?.ReadonlyRootfs).toBe(true);
    expect(opts.HostConfig?.Tmpfs).toEqual({ '/tmp': '' });
    expect(opts.HostConfig?.SecurityOpt).toEqual(['no-new-privileges:true']);
    expect(opts.HostConfig?.Memory).toBe(512 * 1024 * 1024);
    expect(opts.HostConfig?.RestartPolicy).toEqual({ Name: 'unless-stopped' });
    expect(opts.Healthcheck?.Interval).toBe(5_000_000_000);
  });

  it('volumes by their shared name, relative binds into the rendered dir', () => {
    const prometheus = service(suite, 'prometheus');
    const opts = containerOptions(suite, prometheus, {
      configHash: 'h',
      release: 'r',
      secretEnv: {},
      renderedDir: '/state/demo/rendered',
    });
    expect(opts.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'demo_prometheus-data', Target: '/prometheus', ReadOnly: false },
      { Type: 'bind', Source: '/state/demo/rendered/prometheus', Target: '/etc/prometheus', ReadOnly: true },
    ]);
    expect(bindSource('/var/run/docker.sock', '/x')).toBe('/var/run/docker.sock');
    expect(bindSource('grafana/provisioning', '/x')).toBe('/x/grafana/provisioning');
  });

  it('a service without host ports is only exposed; GPU services request all NVIDIA GPUs', () => {
    const exporter = service(suite, 'postgres-exporter');
    const opts = containerOptions(suite, exporter, {
      configHash: 'h',
      release: 'r',
      secretEnv: {},
      renderedDir: '/r',
    });
    expect(opts.HostConfig?.PortBindings).toEqual({});
    const gpuSuite = buildSuite(options({ profile: 'gpu', phase: 1, monitoring: false }));
    const chat = service(gpuSuite, 'inference-chat');
    const gpu = containerOptions(gpuSuite, chat, {
      configHash: 'h',
      release: 'r',
      secretEnv: {},
      renderedDir: '/r',
    });
    expect(gpu.HostConfig?.DeviceRequests).toEqual([
      { Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] },
    ]);
  });
});

describe('desiredConfig', () => {
  const suite = buildSuite(options());
  const files = [
    { path: 'compose.yaml', content: 'x' },
    { path: 'prometheus/prometheus.yml', content: 'scrape_configs: []' },
    { path: 'prometheus/rules/a.yml', content: 'groups: []' },
    { path: 'alertmanager/alertmanager.yml', content: 'route: {}' },
  ];
  const hash = (name: string, s = secrets, f = files, image = 'sha256:1', st = suite) =>
    desiredConfig(st, service(st, name), image, s, f).hash;

  it('is stable for the same input', () => {
    expect(hash('prometheus')).toBe(hash('prometheus'));
    expect(hash('prometheus')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes for exactly the services whose mounted config file changed', () => {
    const changed = files.map((f) =>
      f.path === 'prometheus/rules/a.yml' ? { ...f, content: 'groups: [x]' } : f,
    );
    expect(hash('prometheus', secrets, changed)).not.toBe(hash('prometheus'));
    expect(hash('alertmanager', secrets, changed)).toBe(hash('alertmanager'));
    expect(hash('api-gateway', secrets, changed)).toBe(hash('api-gateway'));
    expect(filesOf(service(suite, 'prometheus'), files).map((f) => f.path)).toEqual([
      'prometheus/prometheus.yml',
      'prometheus/rules/a.yml',
    ]);
  });

  it('changes for exactly the services that use a changed secret', () => {
    const rotated = { ...secrets, 'postgres-password': 'pg-pass-two' };
    for (const name of ['postgres', 'rag', 'postgres-exporter']) {
      expect(hash(name, rotated), name).not.toBe(hash(name));
    }
    for (const name of ['api-gateway', 'prometheus', 'mcp-server']) {
      expect(hash(name, rotated), name).toBe(hash(name));
    }
  });

  it('changes with the image id and the bind address', () => {
    expect(hash('api-gateway', secrets, files, 'sha256:2')).not.toBe(hash('api-gateway'));
    const exposed = buildSuite(options({ bindAddress: '0.0.0.0' }));
    expect(hash('api-gateway', secrets, files, 'sha256:1', exposed)).not.toBe(hash('api-gateway'));
  });

  it('names the parts that changed: the parts label tells image, secrets, files, network and spec apart', () => {
    const parts = (name: string, s = secrets, f = files, image = 'sha256:1', st = suite) =>
      desiredConfig(st, service(st, name), image, s, f).parts;
    const base = parts('postgres');
    expect(base).toMatch(
      /^spec=[0-9a-f]{8},image=[0-9a-f]{8},secrets=[0-9a-f]{8},files=[0-9a-f]{8},network=[0-9a-f]{8}$/,
    );
    expect(changedParts(base, parts('postgres'))).toEqual([]);
    expect(changedParts(base, parts('postgres', secrets, files, 'sha256:2'))).toEqual(['image']);
    const rotated = { ...secrets, 'postgres-password': 'pg-pass-two' };
    expect(changedParts(base, parts('postgres', rotated))).toEqual(['secrets']);
    const exposed = buildSuite(options({ bindAddress: '0.0.0.0' }));
    expect(changedParts(base, parts('postgres', secrets, files, 'sha256:1', exposed))).toEqual(['network']);
    const changed = files.map((f) =>
      f.path === 'prometheus/rules/a.yml' ? { ...f, content: 'groups: [x]' } : f,
    );
    expect(changedParts(parts('prometheus'), parts('prometheus', secrets, changed))).toEqual(['files']);
    // a container from before the parts label: nothing to compare
    expect(changedParts(undefined, base)).toBeUndefined();
  });
});
