import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/lib/config/load.js';
import { configSchema } from '../../../src/lib/config/schema.js';
import { AisuiteError } from '../../../src/lib/errors.js';

function errorOf(fn: () => unknown): AisuiteError {
  try {
    fn();
  } catch (error) {
    return error as AisuiteError;
  }
  throw new Error('expected an error');
}

describe('aisuite.yaml', () => {
  const tmp = fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-config-'));
  afterAll(async () => fs.rm(await tmp, { recursive: true, force: true }));

  it('accepts a full config', () => {
    const config = parseConfig(
      [
        'project: lab',
        'phase: 3',
        'profile: gpu',
        'modelsDir: /srv/models',
        'images:',
        '  prometheus: mirror.local/prom/prometheus:v2.53.4',
        'ports:',
        '  api-gateway: 18000',
        'components:',
        '  without: [grafana]',
        'gpu: { nGpuLayers: 40, chatModel: chat.gguf }',
        'alerting:',
        '  receivers:',
        '    webhook: [{ name: ops, url: "https://hooks.example.com/x" }]',
        '    email: [{ name: mail, to: oncall@example.com, from: am@example.com, smarthost: "smtp.example.com:587" }]',
      ].join('\n'),
      'aisuite.yaml',
    );
    expect(config.phase).toBe(3);
    expect(config.ports).toEqual({ 'api-gateway': 18000 });
    expect(config.alerting?.receivers?.webhook?.[0]?.url).toBe('https://hooks.example.com/x');
  });

  it('alerting.runbookUrl: an http(s) URL with {alert} in it, else an error at its position', () => {
    const ok = parseConfig('alerting:\n  runbookUrl: "https://wiki.example/ops#{alert}"\n', 'aisuite.yaml');
    expect(ok.alerting?.runbookUrl).toBe('https://wiki.example/ops#{alert}');
    for (const bad of ['https://wiki.example/ops', 'wiki.example/{alert}', 'https://wiki example/{alert}']) {
      const error = errorOf(() => parseConfig(`alerting:\n  runbookUrl: "${bad}"\n`, 'aisuite.yaml'));
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(/^aisuite\.yaml:2:15: alerting\.runbookUrl must match pattern/);
    }
  });

  it('the example in docs/CONFIG.md is a valid config that sets every top-level key', async () => {
    const doc = await fs.readFile(new URL('../../../docs/CONFIG.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const config = parseConfig(example, 'docs/CONFIG.md');
    expect(Object.keys(config).sort()).toEqual(Object.keys(configSchema.properties).sort());
  });

  it('malformed YAML names file:line:col', () => {
    const error = errorOf(() => parseConfig('project: a\nimages:\n  x: [unclosed\n', 'my.yaml'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^my\.yaml:\d+:\d+: /);
  });

  it('an unknown value names the position, the key and the allowed values', () => {
    const error = errorOf(() => parseConfig('project: lab\nphase: 5\n', 'aisuite.yaml'));
    expect(error.message).toBe('aisuite.yaml:2:8: phase must be one of: 1, 2, 3');
  });

  it('an unknown key and an unknown service are reported at their lines', () => {
    const error = errorOf(() =>
      parseConfig('project: lab\nimages:\n  promethus: x:1\nfoo: 1\n', 'aisuite.yaml'),
    );
    expect(error.message).toContain(
      'aisuite.yaml:3:3: images: "promethus" is not a service (did you mean "prometheus"?); allowed: inference-chat',
    );
    // "foo" is like no key: no guess
    expect(error.message.split('\n')).toContain('aisuite.yaml:4:1: unknown key "foo"');
  });

  it('an unknown key that is a typo of an allowed one says which, at any depth', () => {
    const error = errorOf(() =>
      parseConfig('portz:\n  api-gateway: 9000\ngateway:\n  TimeoutSecond: 5\n', 'aisuite.yaml'),
    );
    expect(error.message.split('\n')).toEqual([
      'aisuite.yaml:1:1: unknown key "portz" (did you mean "ports"?)',
      'aisuite.yaml:4:3: unknown key "TimeoutSecond" in gateway (did you mean "timeoutSeconds"?)',
    ]);
  });

  it('checklist settings: base URLs per service, deadline, concurrency, an extra checks file', () => {
    const config = parseConfig(
      'checklist:\n  urls:\n    api-gateway: https://ai.example.internal:8000\n  deadlineSeconds: 120\n',
      'a.yaml',
    );
    expect(config.checklist?.urls).toEqual({ 'api-gateway': 'https://ai.example.internal:8000' });
    const error = errorOf(() => parseConfig('checklist:\n  urls:\n    prometheus: ftp://x\n', 'a.yaml'));
    expect(error.message).toMatch(/^a\.yaml:3:17: checklist\.urls\.prometheus must match pattern/);
  });

  it('prometheus.scrapeIntervalSeconds: whole seconds from 1 to 60, else an error at its position', () => {
    expect(parseConfig('prometheus:\n  scrapeIntervalSeconds: 5\n', 'a.yaml').prometheus).toEqual({
      scrapeIntervalSeconds: 5,
    });
    for (const [bad, why] of [
      ['0', 'must be >= 1'],
      ['61', 'must be <= 60'],
      ['2.5', 'must be integer'],
    ] as const) {
      const error = errorOf(() => parseConfig(`prometheus:\n  scrapeIntervalSeconds: ${bad}\n`, 'a.yaml'));
      expect(error.message).toBe(`a.yaml:2:26: prometheus.scrapeIntervalSeconds ${why}`);
    }
  });

  it('gateway: router settings in range, fallbacks between the model groups, else an error at its position', () => {
    const ok = parseConfig('gateway:\n  timeoutSeconds: 600\n  fallbacks: { chat: [code] }\n', 'a.yaml');
    expect(ok.gateway).toEqual({ timeoutSeconds: 600, fallbacks: { chat: ['code'] } });
    expect(errorOf(() => parseConfig('gateway:\n  timeoutSeconds: 0\n', 'a.yaml')).message).toBe(
      'a.yaml:2:19: gateway.timeoutSeconds must be >= 1',
    );
    expect(
      errorOf(() => parseConfig('gateway:\n  fallbacks: { chat: [gpt-4] }\n', 'a.yaml')).message,
    ).toMatch(/^a\.yaml:2:\d+: gateway\.fallbacks\.chat\.0 must be one of: chat, code/);
    expect(errorOf(() => parseConfig('gateway:\n  fallbacks: { vision: [chat] }\n', 'a.yaml')).message).toBe(
      'a.yaml:2:16: unknown key "vision" in gateway.fallbacks',
    );
  });

  it('mcp: a rate like 60/m, an approval lifetime in minutes, self-approval on or off', () => {
    const ok = parseConfig('mcp:\n  rateLimit: 5/30s\n  approvalTtlMinutes: 60\n', 'a.yaml');
    expect(ok.mcp).toEqual({ rateLimit: '5/30s', approvalTtlMinutes: 60 });
    for (const bad of ['60 per minute', '0/m', '60/d']) {
      expect(errorOf(() => parseConfig(`mcp:\n  rateLimit: ${bad}\n`, 'a.yaml')).message).toMatch(
        /^a\.yaml:2:14: mcp\.rateLimit must match pattern/,
      );
    }
  });

  it('a wrong type says what was expected', () => {
    const error = errorOf(() => parseConfig('ports:\n  api-gateway: "eight thousand"\n', 'a.yaml'));
    expect(error.message).toMatch(/^a\.yaml:2:16: ports\.api-gateway must be integer/);
  });

  it('a missing explicit file is an error; a missing default file is not', async () => {
    const dir = await tmp;
    await expect(loadConfig(undefined, dir)).resolves.toEqual({ config: {} });
    await expect(loadConfig('nope.yaml', dir)).rejects.toThrow(/cannot read config file/);
  });

  it('relative paths are resolved against the config file', async () => {
    const dir = await tmp;
    await fs.writeFile(path.join(dir, 'aisuite.yaml'), 'modelsDir: ./models\n');
    const { config } = await loadConfig('aisuite.yaml', dir);
    expect(config.modelsDir).toBe(path.join(dir, 'models'));
  });
});
