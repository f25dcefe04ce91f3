import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import Checklist from '../../src/commands/checklist.js';
import type { ChecklistReport } from '../../src/lib/checklist/report.js';

// The command class run in-process against a real local HTTP server standing in for the gateway's
// endpoints (--url override), with a real secrets file.
const KEY = 'sk-aisuite-command-test-key-0123456789';
let dir: string;
let server: http.Server;
let base: string;
let chatStatus = 200;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-checklist-cmd-'));
  await fs.writeFile(path.join(dir, 'secrets.env'), `GATEWAY_API_KEY=${KEY}\n`, { mode: 0o600 });
  server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/health') return res.end('{"status":"ok"}');
    if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 3000);
    if (req.url === '/v1/chat/completions') {
      if (req.headers.authorization !== `Bearer ${KEY}`) {
        res.statusCode = 401;
        return res.end('{"error":{"message":"bad key"}}');
      }
      res.statusCode = chatStatus;
      return res.end(
        chatStatus === 200
          ? '{"choices":[{"message":{"role":"assistant","content":"OK"}}]}'
          : '{"error":{"message":"all backends down"}}',
      );
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await fs.rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  let code = 0;
  try {
    await Checklist.run(
      [
        '--phase',
        '1',
        '--cpu',
        '--project',
        'cmdtest',
        '--secrets-file',
        path.join(dir, 'secrets.env'),
        ...args,
      ],
      { root: process.cwd() },
    );
  } catch (error) {
    code = (error as { oclif?: { exit?: number } }).oclif?.exit ?? 70;
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const gateway = () => ['--url', `api-gateway=${base}`, '--only', 'gateway-chat-roundtrip'];

describe('aisuite checklist', () => {
  it('exits 0 and prints the JSON report when the critical checks pass; the key never appears', async () => {
    chatStatus = 200;
    const { code, stdout, stderr } = await run([...gateway(), '--format', 'json']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as ChecklistReport;
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['health-api-gateway', 'passed'],
      ['gateway-chat-roundtrip', 'passed'],
    ]);
    expect(stdout).not.toContain(KEY);
  });

  it('exits 1 and names the failed check; writes JUnit to --output', async () => {
    chatStatus = 503;
    const output = path.join(dir, 'out', 'checklist.xml');
    const { code, stderr } = await run([...gateway(), '--format', 'junit', '--output', output]);
    expect(code).toBe(1);
    expect(stderr).toContain('✖ gateway-chat-roundtrip');
    const xml = await fs.readFile(output, 'utf8');
    expect(xml).toContain('<failure message="HTTP 503 (expected 2xx): {&quot;error&quot;');
  }, 30_000);

  it('exits 2 before any probe when --output cannot be written (a directory, or a file in the way)', async () => {
    let requests = 0;
    const count = () => requests++;
    server.on('request', count);
    try {
      const blocker = path.join(dir, 'blocker');
      await fs.writeFile(blocker, 'not a directory');
      // [--output, the path the error names, why]
      for (const [output, named, reason] of [
        [dir, dir, 'it is a directory'],
        [path.join(blocker, 'checklist.xml'), blocker, 'a file is in the way'],
      ] as const) {
        const { code, stderr } = await run([...gateway(), '--format', 'junit', '--output', output]);
        expect(code, stderr).toBe(2);
        expect(stderr).toContain(`--output ${named}: cannot write there (${reason})`);
        expect(stderr).not.toContain('gateway-chat-roundtrip');
      }
      expect(requests).toBe(0);
    } finally {
      server.off('request', count);
    }
  });

  it('exits 2 with file:line for a bad checks file', async () => {
    const file = path.join(dir, 'bad.yaml');
    await fs.writeFile(
      file,
      'version: 1\nchecks:\n  - id: x\n    title: X\n    severity: urgent\n    probe: { kind: docker, check: engine }\n',
    );
    const { code, stderr } = await run(['--file', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.yaml:5:15: checks\.0\.severity must be one of: critical, warning, info/);
  });

  it('exits 4 with --strict when only a warning failed, 0 without', async () => {
    chatStatus = 200;
    const file = path.join(dir, 'warn.yaml');
    await fs.writeFile(
      file,
      `version: 1\nchecks:\n  - id: docs-page\n    title: Docs page\n    severity: warning\n    probe: { kind: http, url: "${base}/missing" }\n`,
    );
    const args = [
      '--file',
      file,
      '--url',
      `api-gateway=${base}`,
      '--only',
      'docs-page,gateway-chat-roundtrip',
    ];
    expect((await run(args)).code).toBe(0);
    expect((await run([...args, '--strict'])).code).toBe(4);
  });

  it('exits 3 when the deadline passes', async () => {
    const file = path.join(dir, 'slow.yaml');
    await fs.writeFile(
      file,
      `version: 1\nchecks:\n  - id: slow\n    title: Slow\n    severity: critical\n    probe: { kind: http, url: "${base}/slow" }\n`,
    );
    const { code, stdout } = await run([
      '--file',
      file,
      '--only',
      'slow',
      '--deadline',
      '1',
      '--format',
      'markdown',
    ]);
    expect(code).toBe(3);
    expect(stdout).toContain('- Outcome: **deadline** (exit code 3)');
  });
});
