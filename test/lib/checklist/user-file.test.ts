import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecksFile, parseChecksFile } from '../../../src/lib/checklist/user-file.js';
import { selectChecks } from '../../../src/lib/checklist/index.js';
import { targetFor } from './support.js';

const GOOD = `version: 1
checks:
  - id: models-endpoint
    title: Gateway lists models
    severity: warning
    needs: [health-api-gateway]
    timing: { timeoutSeconds: 3, failureThreshold: 2 }
    probe:
      kind: http
      url: \${url:api-gateway}/v1/models
      headers: { authorization: "Bearer \${secret:gateway-api-key}" }
      json:
        - { path: "data[*].id", matches: "." }
  - id: vector-disk
    title: Disk for Postgres
    stage: pre-flight
    severity: info
    probe: { kind: disk, path: /var/lib/docker, minFreeMiB: 1024 }
`;

describe('user checks file', () => {
  it('loads checks with their file:line and fills them like built-ins', async () => {
    const templates = parseChecksFile(GOOD, 'extra.yaml');
    expect(templates.map((t) => [t.id, t.stage, t.source])).toEqual([
      ['models-endpoint', 'post-deploy', 'extra.yaml:3'],
      ['vector-disk', 'pre-flight', 'extra.yaml:14'],
    ]);
    const target = await targetFor({ phase: '1', cpu: true });
    const checks = selectChecks(target, { stages: ['post-deploy'], userTemplates: templates });
    const mine = checks.find((c) => c.id === 'models-endpoint')!;
    expect(mine).toMatchObject({
      source: 'extra.yaml:3',
      needs: ['health-api-gateway'],
      timing: { timeoutSeconds: 3, failureThreshold: 2, periodSeconds: 2 },
      probe: {
        url: 'http://127.0.0.1:8000/v1/models',
        headers: { authorization: 'Bearer sk-aisuite-test-key-123456' },
      },
    });
    expect(checks.at(-1)?.id).toBe('models-endpoint');
  });

  it.each([
    [
      'unknown key',
      'version: 1\nchecks:\n  - id: a\n    title: A\n    severity: info\n    probe: { kind: tcp, host: h, port: 1, expect: listening, prot: 2 }\n',
      'x.yaml:6:62: unknown key "prot" in checks.0.probe',
    ],
    [
      'bad severity',
      'version: 1\nchecks:\n  - id: a\n    title: A\n    severity: fatal\n    probe: { kind: docker, check: engine }\n',
      'x.yaml:5:15: checks.0.severity must be one of: critical, warning, info',
    ],
    [
      'unknown kind',
      'version: 1\nchecks:\n  - id: a\n    title: A\n    severity: info\n    probe:\n      kind: ping\n',
      'x.yaml:7:13: checks.0.probe.kind must be one of: http, mcp, promql',
    ],
    [
      'missing field',
      'version: 1\nchecks:\n  - id: a\n    severity: info\n    probe: { kind: docker, check: engine }\n',
      'x.yaml:3:5: checks.0 is missing "title"',
    ],
    [
      'a typo of a key',
      'version: 1\nchecks:\n  - id: a\n    title: A\n    severity: info\n    remdy: restart it\n    probe: { kind: docker, check: engine }\n',
      'x.yaml:6:5: unknown key "remdy" in checks.0 (did you mean "remedy"?)',
    ],
    ['YAML syntax', 'version: 1\nchecks:\n  - id: [a\n', 'x.yaml:4:1:'],
    ['wrong version', 'version: 2\nchecks: []\n', 'x.yaml:1:10: version must be 1'],
  ])('rejects %s with file:line:col', (_name, text, message) => {
    expect(() => parseChecksFile(text, 'x.yaml')).toThrow(message);
  });

  it('rejects duplicate ids, built-in ids and unknown needs', async () => {
    const dup =
      'version: 1\nchecks:\n  - { id: a, title: A, severity: info, probe: { kind: docker, check: engine } }\n  - { id: a, title: B, severity: info, probe: { kind: docker, check: engine } }\n';
    expect(() => parseChecksFile(dup, 'x.yaml')).toThrow('x.yaml:4:5: id "a" is defined twice');
    const builtin =
      'version: 1\nchecks:\n  - { id: docker-engine, title: A, severity: info, probe: { kind: docker, check: engine } }\n';
    expect(() => parseChecksFile(builtin, 'x.yaml', new Set(['docker-engine']))).toThrow(
      'is a built-in check',
    );
    const needs =
      'version: 1\nchecks:\n  - { id: a, title: A, severity: info, needs: [nope], probe: { kind: docker, check: engine } }\n';
    const target = await targetFor({ phase: '1', cpu: true });
    expect(() =>
      selectChecks(target, { stages: ['post-deploy'], userTemplates: parseChecksFile(needs, 'x.yaml') }),
    ).toThrow('x.yaml:3: check a needs unknown check "nope"');
  });

  it('rejects a placeholder naming a service or secret aisuite does not know (a typo), not a left-out one', () => {
    const check = (url: string) =>
      `version: 1\nchecks:\n  - id: a\n    title: A\n    severity: info\n    probe: { kind: http, url: "${url}" }\n`;
    expect(() => parseChecksFile(check('${url:api-gatway}/health'), 'x.yaml')).toThrow(
      'x.yaml:3:5: check a: ${url:api-gatway}: unknown service (did you mean "api-gateway"?); allowed: inference-chat, inference-code, api-gateway',
    );
    expect(() => parseChecksFile(check('http://h/?k=${secret:api-key}'), 'x.yaml')).toThrow(
      'x.yaml:3:5: check a: ${secret:api-key}: unknown secret; allowed: gateway-api-key',
    );
    const when =
      'version: 1\nchecks:\n  - id: b\n    title: B\n    severity: info\n    when: { services: [ragg] }\n    probe: { kind: docker, check: engine }\n';
    expect(() => parseChecksFile(when, 'x.yaml')).toThrow(
      'x.yaml:3:5: check b: when.services: unknown service ragg (did you mean "rag"?);',
    );
    // a service the selection may leave out is known: the check loads, and is skipped when it runs
    expect(parseChecksFile(check('${url:grafana}/api/health'), 'x.yaml')).toHaveLength(1);
  });

  it('a file that cannot be read is bad input (exit 2)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-checks-'));
    try {
      await expect(loadChecksFile(path.join(dir, 'none.yaml'))).rejects.toMatchObject({
        exitCode: 2,
        code: 'CHECKS_FILE_MISSING',
      });
    } finally {
      await fs.rm(dir, { recursive: true });
    }
  });
});
