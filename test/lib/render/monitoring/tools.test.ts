/**
 * The rendered Prometheus and Alertmanager files checked by the real tools (Debian's promtool and amtool,
 * installed by .ci/run): config and rule syntax, one unit test per alert rule, and the routing tree.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RULE_GROUPS } from '../../../../src/lib/render/monitoring/alert-rules.js';
import { removeTempDirs, renderToTempDir, UNIT_TESTS_DIR } from './render-dir.js';
import { SUITES } from './suites.js';

afterAll(removeTempDirs);

describe.each(Object.keys(SUITES))('suite %s', (name) => {
  let dir = '';
  beforeAll(async () => {
    dir = await renderToTempDir(SUITES[name]!());
  });

  it('passes promtool check config (rule files resolved next to prometheus.yml)', async () => {
    const result = await execa('promtool', ['check', 'config', path.join(dir, 'prometheus/prometheus.yml')], {
      reject: false,
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: [1-9]\d* rule files found/);
  });

  it('passes promtool check rules', async () => {
    const files = await fs.readdir(path.join(dir, 'prometheus/rules'));
    expect(files.length).toBeGreaterThan(0);
    const result = await execa(
      'promtool',
      ['check', 'rules', ...files.map((f) => path.join(dir, 'prometheus/rules', f))],
      { reject: false },
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('passes amtool check-config', async () => {
    const result = await execa('amtool', ['check-config', path.join(dir, 'alertmanager/alertmanager.yml')], {
      reject: false,
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });
});

describe('promtool test rules', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await renderToTempDir(SUITES['phase3-cpu-full']!());
  });

  const alerts = RULE_GROUPS.flatMap((group) => group.rules.map((rule) => ({ rule, file: group.file })));

  it.each(alerts.map((a) => [a.rule.alert, a.file] as const))(
    '%s: its unit test fires and stays quiet as written',
    async (alert, file) => {
      const testFile = `${alert}.test.yml`;
      const spec = parse(await fs.readFile(path.join(UNIT_TESTS_DIR, testFile), 'utf8')) as {
        rule_files: string[];
        tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
      };
      // Given a test file for the rule's own file, with at least one firing and one quiet expectation
      expect(spec.rule_files).toEqual([`../prometheus/rules/${file}.yml`]);
      const cases = spec.tests.flatMap((t) => t.alert_rule_test);
      expect(cases.every((c) => c.alertname === alert)).toBe(true);
      expect(cases.some((c) => c.exp_alerts.length > 0)).toBe(true);
      expect(cases.some((c) => c.exp_alerts.length === 0)).toBe(true);
      // When promtool runs it against the rendered rules, then every expectation holds
      const result = await execa('promtool', ['test', 'rules', testFile], {
        cwd: path.join(dir, 'tests'),
        reject: false,
      });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('SUCCESS');
    },
  );

  it('has no unit-test file without an alert rule', async () => {
    const files = (await fs.readdir(UNIT_TESTS_DIR)).filter((f) => f.endsWith('.test.yml'));
    expect(files.sort()).toEqual(alerts.map((a) => `${a.rule.alert}.test.yml`).sort());
  });
});
