import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('npm pack', () => {
  let tmp: string;
  let prefix: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-pack-'));
    prefix = path.join(tmp, 'prefix');
    const pack = await execa('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root });
    const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
    // --ignore-scripts: the only install script is better-sqlite3's native build, which the CLI never
    // loads (the mcp-server service does, inside the services image, where it is built and tested).
    await execa(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        path.join(tmp, filename),
      ],
      {
        cwd: tmp,
        env: { npm_config_update_notifier: 'false' },
      },
    );
  }, 600_000);
  afterAll(async () => fs.rm(tmp, { recursive: true, force: true }));

  const aisuite = (args: string[]) =>
    execa(path.join(prefix, 'bin', 'aisuite'), args, {
      cwd: tmp,
      reject: false,
      env: { AISUITE_STATE_DIR: path.join(tmp, 'state'), NO_COLOR: '1' },
    });

  it('the tarball holds the CLI and not the sources or tests', async () => {
    const installed = path.join(prefix, 'lib', 'node_modules', 'aisuite');
    const entries = await fs.readdir(installed);
    expect(entries).toEqual(
      expect.arrayContaining(['bin', 'dist', 'package.json', 'oclif.manifest.json', 'docker']),
    );
    expect(entries).not.toContain('src');
    expect(entries).not.toContain('test');
  });

  it('installs globally on a clean prefix and runs `aisuite --help`', async () => {
    const help = await aisuite(['--help']);
    expect(help.exitCode, String(help.stderr)).toBe(0);
    expect(String(help.stdout)).toMatch(/render/);
    expect(String(help.stdout)).toMatch(/autocomplete/);
  });

  it('runs `aisuite render` from the installed package', async () => {
    const out = path.join(tmp, 'rendered');
    const render = await aisuite(['render', '--phase', '3', '--cpu', '--out', out, '--json']);
    expect(render.exitCode, String(render.stderr)).toBe(0);
    const files = (JSON.parse(String(render.stdout)) as { files: { path: string }[] }).files.map(
      (f) => f.path,
    );
    expect(files).toContain('compose.yaml');
    expect(files).toContain('prometheus/prometheus.yml');
    await expect(fs.stat(path.join(out, 'compose.yaml'))).resolves.toBeTruthy();
  });
});
