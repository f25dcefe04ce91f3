import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type Result } from 'execa';
import { XMLParser } from 'fast-xml-parser';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { VerifyReport } from '../../src/lib/verify/report.js';
import { assertNoLeftovers } from '../support/docker-leftovers.js';
import { BIN } from './support/suite.js';

// `aisuite verify` end to end on the real engine, with the stand-in images the e2e global setup built.
const ctx = inject('e2e');
let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-e2e-verify-'));
  configFile = path.join(dir, 'aisuite.yaml');
  // verify picks its own project name and free host ports; this config only points at the test bed's images
  await writeFile(
    configFile,
    stringify({
      images: ctx.images,
      build: { nodeImage: ctx.nodeImage, useSystemCa: true },
      components: { without: ['grafana', 'loki', 'alloy', 'cadvisor'] },
    }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function verify(
  reportDir: string,
  args: string[] = [],
  config = configFile,
): Promise<{ result: Result; report: VerifyReport }> {
  const state = path.join(dir, 'state');
  const result = await execa(
    process.execPath,
    [BIN, 'verify', '--cpu', '--config', config, '--report-dir', reportDir, ...args],
    {
      reject: false,
      env: { AISUITE_STATE_DIR: state, NO_COLOR: '1', AISUITE_RENDERER: 'verbose' },
      timeout: 600_000,
    },
  );
  const file = path.join(reportDir, 'verify.json');
  if (!existsSync(file))
    throw new Error(`no report (exit ${result.exitCode}):\n${String(result.stderr).slice(-3000)}`);
  const report = JSON.parse(await readFile(file, 'utf8')) as VerifyReport;
  // nothing the run created is left: containers, network, volumes, and the project's state directory
  await assertNoLeftovers(report.project);
  expect(existsSync(path.join(state, report.project))).toBe(false);
  return { result, report };
}

function junitCases(xml: string): { name: string; failure?: unknown; skipped?: { message: string } }[] {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
    testsuites: { testsuite: { testcase: unknown }[] | { testcase: unknown } };
  };
  const suites = [parsed.testsuites.testsuite].flat();
  return suites.flatMap((s) => [s.testcase].flat()) as {
    name: string;
    failure?: unknown;
    skipped?: { message: string };
  }[];
}

describe('verify --cpu', () => {
  it('passes on a healthy suite, writes JUnit and JSON, and leaves nothing behind', async () => {
    const reportDir = path.join(dir, 'healthy');
    const { result, report } = await verify(reportDir);
    expect(result.exitCode, `${String(result.stdout)}\n${String(result.stderr).slice(-4000)}`).toBe(0);
    expect(report.outcome).toBe('passed');
    expect(report.project).toMatch(/^aisuite-verify-[0-9a-f]{8}$/);
    expect(report.smoke.map((s) => [s.id, s.status])).toEqual([
      ['smoke-chat-completion', 'passed'],
      ['smoke-code-completion', 'passed'],
      ['smoke-streamed-completion', 'passed'],
      ['smoke-embedding', 'passed'],
      ['smoke-rag', 'passed'],
      ['smoke-mcp', 'passed'],
      ['smoke-failover', 'passed'],
    ]);
    expect(report.checklist?.summary.criticalNotPassed).toBe(0);
    expect(report.checklist?.checks.find((c) => c.id === 'grafana-overview-dashboard')).toMatchObject({
      status: 'skipped',
      reason: 'skipped: without=grafana',
    });
    expect(report.teardown?.containers).toBeGreaterThanOrEqual(10);
    const cases = junitCases(await readFile(path.join(reportDir, 'verify.junit.xml'), 'utf8'));
    expect(cases.length).toBe(report.smoke.length + (report.checklist?.checks.length ?? 0));
    expect(cases.filter((c) => c.failure !== undefined)).toEqual([]);
  });

  it('--keep leaves the suite up with a config that checklist uses; down --config it --purge removes it all', async () => {
    const state = path.join(dir, 'state');
    const env = { AISUITE_STATE_DIR: state, NO_COLOR: '1', AISUITE_RENDERER: 'verbose' };
    const reportDir = path.join(dir, 'keep');
    const run = (args: string[]) =>
      execa(process.execPath, [BIN, ...args], { reject: false, env, timeout: 600_000 });
    // Given a phase 1 verify with --keep
    const result = await run([
      'verify',
      '--cpu',
      '--phase',
      '1',
      '--config',
      configFile,
      '--report-dir',
      reportDir,
      '--keep',
    ]);
    const report = JSON.parse(await readFile(path.join(reportDir, 'verify.json'), 'utf8')) as VerifyReport;
    const kept = report.keptConfig ?? '';
    try {
      expect(result.exitCode, String(result.stderr).slice(-3000)).toBe(0);
      expect(report.kept).toBe(true);
      expect(kept).toBe(path.join(state, report.project, 'verify.aisuite.yaml'));
      expect(String(result.stderr)).toContain(`aisuite down --config ${kept} --purge --yes`);
      // Then checklist with that config checks the kept suite (its ports, its phase), not the defaults
      const checklist = await run(['checklist', '--config', kept, '--json']);
      expect(checklist.exitCode, String(checklist.stdout).slice(-3000)).toBe(0);
      const checks = (
        JSON.parse(String(checklist.stdout)) as { checks: { id: string; status: string; reason?: string }[] }
      ).checks;
      expect(checks.find((c) => c.id === 'gateway-chat-roundtrip')?.status).toBe('passed');
      expect(checks.find((c) => c.id === 'rag-query')?.reason).toBe('skipped: phase=1');
    } finally {
      // And down --purge removes the containers, the volumes and the project's state, the config included
      const down = await run(['down', '--config', kept, '--purge', '--yes', '--json']);
      expect(down.exitCode, String(down.stderr)).toBe(0);
      expect((JSON.parse(String(down.stdout)) as { purged?: string }).purged).toBe(
        path.join(state, report.project),
      );
    }
    await assertNoLeftovers(report.project);
    expect(existsSync(path.join(state, report.project))).toBe(false);
  });

  it('exits 1 and names the check when a service is broken on purpose, keeps its logs, leaves nothing behind', async () => {
    const reportDir = path.join(dir, 'broken');
    // Given the embedding container is stopped right after up (phase 2, no monitoring: a leaner suite)
    const { result, report } = await verify(reportDir, [
      '--phase',
      '2',
      '--no-monitoring',
      '--stop-after-up',
      'embedding',
    ]);
    // Then verify fails with exit 1, naming the failed check and smoke test
    expect(result.exitCode, String(result.stderr).slice(-3000)).toBe(1);
    expect(String(result.stdout)).toContain('FAILED health-embedding');
    expect(String(result.stdout)).toContain('FAILED smoke-embedding');
    expect(report.checklist?.checks.find((c) => c.id === 'embedding-roundtrip')).toMatchObject({
      status: 'blocked',
      reason: 'blocked by health-embedding',
    });
    expect(report.smoke.find((s) => s.id === 'smoke-mcp')).toMatchObject({
      status: 'skipped',
      reason: 'skipped: phase=2',
    });
    // and the stopped service's logs are in the report directory
    expect(report.logs.map((l) => l.service)).toContain('embedding');
    expect((await readFile(path.join(reportDir, 'logs', 'embedding.log'), 'utf8')).length).toBeGreaterThan(0);
    const cases = junitCases(await readFile(path.join(reportDir, 'verify.junit.xml'), 'utf8'));
    expect(cases.find((c) => c.name.startsWith('health-embedding:'))?.failure).toBeDefined();
    expect(cases.find((c) => c.name.startsWith('smoke-mcp:'))?.skipped).toEqual({
      message: 'skipped: phase=2',
    });
  });

  it("a services image that cannot be built: exit 1, with the build step's hint in the output and both reports", async () => {
    // Given a base image for the services image that is neither local nor pullable (no registry here)
    const config = path.join(dir, 'no-base.aisuite.yaml');
    await writeFile(
      config,
      stringify({ images: ctx.images, build: { nodeImage: 'aisuite-standin/no-such-node:20' } }),
    );
    const reportDir = path.join(dir, 'no-base');
    // (with --keep: no container was created, so nothing is kept, state included; verify() checks)
    const { result, report } = await verify(reportDir, ['--phase', '1', '--keep'], config);
    // Then verify fails before the smoke tests and says what to do, as `up` would
    expect(result.exitCode, String(result.stderr).slice(-3000)).toBe(1);
    expect(report.kept).toBe(false);
    expect(String(result.stderr)).toContain('nothing kept');
    expect(report.error?.code).toBe('SERVICES_IMAGE_BUILD_FAILED');
    expect(report.error?.hint).toContain('Base image aisuite-standin/no-such-node:20, no CA bundle');
    expect(report.error?.hint).toContain('--build-ca FILE');
    expect(String(result.stdout)).toContain(
      'Hint: Base image aisuite-standin/no-such-node:20, no CA bundle. Behind a TLS-intercepting proxy',
    );
    const junit = await readFile(path.join(reportDir, 'verify.junit.xml'), 'utf8');
    expect(junitCases(junit).find((c) => c.name.startsWith('up'))?.failure).toBeDefined();
    expect(junit).toContain('pass its CA with --build-ca FILE');
  });

  it('a report directory that cannot be written: exit 2 before anything starts', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const reportDir = path.join(blocker, 'reports');
    const result = await execa(
      process.execPath,
      [BIN, 'verify', '--cpu', '--config', configFile, '--report-dir', reportDir],
      { reject: false, env: { AISUITE_STATE_DIR: path.join(dir, 'state'), NO_COLOR: '1' } },
    );
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain(
      `Error: --report-dir ${reportDir}: cannot write there (a file is in the way)`,
    );
    // verify never began: no project was chosen, so nothing was created
    expect(`${String(result.stdout)}${String(result.stderr)}`).not.toContain('verify: project');
  });

  // SIGTERM: what `timeout` and `docker stop` send; SIGINT then SIGTERM: GitHub Actions cancelling a job
  // (7.5 s apart there; here right after each other, while the teardown runs)
  it.each([
    { signals: ['SIGINT'], name: 'SIGINT' },
    { signals: ['SIGTERM'], name: 'SIGTERM' },
    { signals: ['SIGINT', 'SIGTERM'], name: 'SIGINT then SIGTERM' },
  ] as { signals: NodeJS.Signals[]; name: string }[])(
    'tears down on $name, exits 130 and leaves nothing behind',
    async ({ signals }) => {
      const reportDir = path.join(dir, `interrupted-${signals.join('-')}`);
      const state = path.join(dir, 'state');
      // Given a verify run of the lean phase 1 suite
      const child = execa(
        process.execPath,
        [BIN, 'verify', '--cpu', '--phase', '1', '--config', configFile, '--report-dir', reportDir],
        {
          reject: false,
          env: { AISUITE_STATE_DIR: state, NO_COLOR: '1', AISUITE_RENDERER: 'verbose' },
          timeout: 600_000,
        },
      );
      // When the signal arrives once the suite is up
      let sent = false;
      child.stderr?.on('data', (chunk: Buffer) => {
        if (!sent && chunk.toString().includes('verify: suite up')) {
          sent = true;
          const [first, ...later] = signals;
          child.kill(first);
          for (const signal of later) setTimeout(() => child.kill(signal), 200);
        }
      });
      const result = await child;
      // Then it stops, reports the interruption and removes what it created
      expect(sent).toBe(true);
      expect(result.exitCode, String(result.stderr).slice(-2000)).toBe(130);
      const report = JSON.parse(await readFile(path.join(reportDir, 'verify.json'), 'utf8')) as VerifyReport;
      expect(report.outcome).toBe('interrupted');
      expect(report.teardown?.containers).toBe(3);
      await assertNoLeftovers(report.project);
      expect(existsSync(path.join(state, report.project))).toBe(false);
    },
  );
});
