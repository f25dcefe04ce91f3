import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('aisuite render (built CLI)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-render-'));
  });
  afterAll(async () => fs.rm(tmp, { recursive: true, force: true }));

  const env = () => ({ AISUITE_STATE_DIR: path.join(tmp, 'state') });

  it('--json lists every file written with its sha256, and the files are byte-identical on a second run', async () => {
    const out = path.join(tmp, 'out1');
    const first = await runCli(['render', '--phase', '3', '--cpu', '--out', out, '--json'], { env: env() });
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const result = JSON.parse(String(first.stdout)) as {
      files: { path: string; sha256: string }[];
      services: string[];
    };
    expect(result.files.map((f) => f.path)).toContain('compose.yaml');
    for (const file of result.files) {
      const content = await fs.readFile(path.join(out, file.path));
      expect(createHash('sha256').update(content).digest('hex')).toBe(file.sha256);
    }
    const second = await runCli(
      ['render', '--phase', '3', '--cpu', '--out', path.join(tmp, 'out2'), '--json'],
      { env: env() },
    );
    expect((JSON.parse(String(second.stdout)) as typeof result).files).toEqual(result.files);
  });

  it('a render into a directory that already holds the output changes only what differs', async () => {
    const out = path.join(tmp, 'again');
    const render = async () => {
      const run = await runCli(['render', '--phase', '3', '--cpu', '--out', out, '--json'], { env: env() });
      expect(run.exitCode, String(run.stderr)).toBe(0);
      return (JSON.parse(String(run.stdout)) as { files: { path: string; changed: boolean }[] }).files;
    };
    expect((await render()).every((f) => f.changed)).toBe(true);
    const compose = path.join(out, 'compose.yaml');
    const rules = path.join(out, 'prometheus', 'rules', 'rag.yml');
    const before = await fs.stat(compose);
    // one file edited by hand, one with another mode: those two are written again, nothing else
    await fs.appendFile(rules, '# edited\n');
    const prometheus = path.join(out, 'prometheus', 'prometheus.yml');
    await fs.chmod(prometheus, 0o600);
    const files = await render();
    expect(files.filter((f) => f.changed).map((f) => f.path)).toEqual([
      'prometheus/prometheus.yml',
      'prometheus/rules/rag.yml',
    ]);
    const after = await fs.stat(compose);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]); // untouched
    expect((await fs.stat(prometheus)).mode & 0o777).toBe(0o644);
    expect(await fs.readFile(rules, 'utf8')).not.toContain('# edited');
    const text = await runCli(['render', '--phase', '3', '--cpu', '--out', out], { env: env() });
    expect(String(text.stdout)).toMatch(/^[0-9a-f]{12} {2}.*compose\.yaml {2}\(unchanged\)$/m);
  });

  it('files an earlier render left (phase 3, then phase 2) are listed and warned about, never removed', async () => {
    const out = path.join(tmp, 'reused');
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, 'notes.txt'), 'mine');
    const phase3 = await runCli(['render', '--phase', '3', '--cpu', '--out', out, '--json'], { env: env() });
    const before = JSON.parse(String(phase3.stdout)) as { files: { path: string }[]; stale: string[] };
    expect(before.stale).toEqual([]);
    // every directory a full render writes is one the check looks in
    const dirs = new Set(before.files.map((f) => f.path.split('/')[0]).filter((d) => d !== 'compose.yaml'));
    expect([...dirs].sort()).toEqual(['alertmanager', 'alloy', 'grafana', 'loki', 'prometheus']);

    const phase2 = await runCli(['render', '--phase', '2', '--cpu', '--out', out, '--json'], { env: env() });
    expect(phase2.exitCode, String(phase2.stderr)).toBe(0);
    const after = JSON.parse(String(phase2.stdout)) as { stale: string[]; warnings: string[] };
    expect(after.stale.sort()).toEqual(
      before.files
        .map((f) => f.path)
        .filter((p) => p !== 'compose.yaml')
        .sort(),
    );
    expect(after.warnings.at(-1)).toMatch(
      /file\(s\) in .* are from an earlier render and not part of this suite/,
    );
    expect(String(phase2.stderr)).toContain('Remove them, or render into an empty directory.');
    // nothing removed: the stale files and the user's own are all still there
    for (const rel of after.stale) await expect(fs.stat(path.join(out, rel))).resolves.toBeDefined();
    expect(await fs.readFile(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('an --out where a file is in the way: exit 2 naming it, not a crash', async () => {
    const file = path.join(tmp, 'a-file');
    await fs.writeFile(file, 'x');
    for (const out of [file, path.join(file, 'sub')]) {
      const run = await runCli(['render', '--phase', '1', '--cpu', '--out', out], { env: env() });
      expect(run.exitCode, String(run.stderr)).toBe(2);
      expect(String(run.stderr)).toContain(`Error: --out ${out}: cannot write there (a file is in the way)`);
    }
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });

  it('environment variables set the flags CI would set', async () => {
    const out = path.join(tmp, 'env');
    const run = await runCli(['render', '--json'], {
      env: {
        ...env(),
        AISUITE_PHASE: '2',
        AISUITE_PROFILE: 'cpu',
        AISUITE_RENDER_OUT: out,
        AISUITE_WITHOUT: 'rag',
      },
    });
    expect(run.exitCode, String(run.stderr)).toBe(0);
    const result = JSON.parse(String(run.stdout)) as { phase: number; services: string[] };
    expect(result.phase).toBe(2);
    expect(result.services).toContain('postgres');
    expect(result.services).not.toContain('rag');
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown phase', ['--phase', '7', '--cpu'], /unknown phase/],
    ['both --cpu and --gpu', ['--cpu', '--gpu'], /cannot also be provided|cannot be used together/],
    [
      'unknown service in --without',
      ['--without', 'grafanna'],
      /unknown service in --without: grafanna[\s\S]*Allowed values/,
    ],
    [
      'invalid image reference',
      ['--image', 'postgres=NOT A REF', '--phase', '2'],
      /invalid image reference for postgres/,
    ],
    ['malformed --image', ['--image', 'postgres'], /expected SERVICE=REF/],
  ];
  it.each(bad)('%s: exit 2, a clear message, nothing written', async (_name, args, message) => {
    const out = path.join(tmp, `bad-${_name.replace(/\W+/g, '-')}`);
    const run = await runCli(['render', '--out', out, ...args], { env: env() });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toMatch(message);
    await expect(fs.access(out)).rejects.toThrow();
  });

  it('two services on one host port: both named, exit 2, nothing written', async () => {
    const config = path.join(tmp, 'ports.yaml');
    await fs.writeFile(config, 'ports:\n  inference-code: 8000\n');
    const out = path.join(tmp, 'ports-out');
    const run = await runCli(['render', '--config', config, '--out', out], { env: env() });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toMatch(
      /services inference-code and api-gateway both use host port 8000|services api-gateway and inference-code both use host port 8000/,
    );
    await expect(fs.access(out)).rejects.toThrow();
  });

  it('a malformed aisuite.yaml is reported at file:line:col with exit 2 (and as JSON with --json)', async () => {
    const config = path.join(tmp, 'bad.yaml');
    await fs.writeFile(config, 'project: lab\nphase: three\n');
    const run = await runCli(['render', '--config', config, '--out', path.join(tmp, 'x'), '--json'], {
      env: env(),
    });
    expect(run.exitCode).toBe(2);
    const json = JSON.parse(String(run.stdout)) as {
      error: { code: string; message: string; exitCode: number };
    };
    expect(json.error.code).toBe('CONFIG_INVALID');
    expect(json.error.message).toMatch(/bad\.yaml:2:8: phase must be one of: 1, 2, 3/);
    expect(json.error.exitCode).toBe(2);
  });

  it('a missing models dir for --gpu is a warning for render (exit 0), and names the directory', async () => {
    const models = path.join(tmp, 'no-models-here');
    const run = await runCli(['render', '--gpu', '--models-dir', models, '--out', path.join(tmp, 'gpu')], {
      env: env(),
    });
    expect(run.exitCode).toBe(0);
    // the files expected, and that the directory itself is missing
    expect(String(run.stderr)).toContain(
      `model files missing for --gpu: ${path.join(models, 'chat.gguf')}, ${path.join(models, 'code.gguf')} (${models} does not exist)`,
    );
    expect(String(run.stderr)).toContain(
      `Put chat.gguf and code.gguf (GGUF) in ${models}, or pass --models-dir`,
    );
  });

  it('an unknown flag is bad input (exit 2)', async () => {
    const run = await runCli(['render', '--out', path.join(tmp, 'y'), '--bogus'], { env: env() });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toMatch(/Nonexistent flag|Unexpected argument/);
  });
});

describe('aisuite secrets (built CLI)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-secrets-cli-'));
  });
  afterAll(async () => fs.rm(tmp, { recursive: true, force: true }));

  it('`secrets get` prints one value and is the only command that does; `secrets` lists names only', async () => {
    const env = { AISUITE_STATE_DIR: tmp };
    const get = await runCli(['secrets', 'get', 'gateway-api-key'], { env });
    expect(get.exitCode, String(get.stderr)).toBe(0);
    const key = String(get.stdout).trim();
    expect(key).toMatch(/^sk-aisuite-/);
    // the name it has in the secrets file finds the same value
    const byVariable = await runCli(['secrets', 'get', 'GATEWAY_API_KEY'], { env });
    expect(byVariable.exitCode, String(byVariable.stderr)).toBe(0);
    expect(String(byVariable.stdout).trim()).toBe(key);
    const list = await runCli(['secrets', '--json'], { env });
    expect(list.exitCode).toBe(0);
    expect(String(list.stdout)).not.toContain(key);
    const parsed = JSON.parse(String(list.stdout)) as {
      file: string;
      mode: string;
      secrets: { name: string; present: boolean }[];
    };
    expect(parsed.mode).toBe('0600');
    expect(parsed.file).toBe(path.join(tmp, 'aisuite', 'secrets.env'));
    expect(parsed.secrets.every((s) => s.present)).toBe(true);
    // a secret that reaches any other output is redacted
    const echoed = await runCli(
      ['render', '--out', path.join(tmp, 'r'), '--project', key.toLowerCase().replace(/[^a-z0-9]/g, '')],
      { env },
    );
    expect(String(echoed.stderr) + String(echoed.stdout)).not.toContain(key);
  });

  it('`secrets rotate` replaces one value (never printed), keeps the others, and names who uses it', async () => {
    const env = { AISUITE_STATE_DIR: tmp };
    const file = path.join(tmp, 'aisuite', 'secrets.env');
    const get = async (name: string) =>
      String((await runCli(['secrets', 'get', name], { env })).stdout).trim();
    const before = { key: await get('gateway-api-key'), pg: await get('postgres-password') };
    const rotate = await runCli(['secrets', 'rotate', 'gateway-api-key', '--json'], { env });
    expect(rotate.exitCode, String(rotate.stderr)).toBe(0);
    expect(JSON.parse(String(rotate.stdout))).toEqual({
      secret: 'gateway-api-key',
      file,
      services: ['api-gateway'],
    });
    const after = { key: await get('gateway-api-key'), pg: await get('postgres-password') };
    expect(after.key).toMatch(/^sk-aisuite-/);
    expect(after.key).not.toBe(before.key);
    expect(after.pg).toBe(before.pg);
    expect(String(rotate.stdout) + String(rotate.stderr)).not.toContain(after.key);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    // the text output says what to run next
    const text = await runCli(['secrets', 'rotate', 'MCP_ADMIN_TOKEN'], { env });
    expect(text.exitCode).toBe(0);
    expect(String(text.stdout)).toContain('Rotated mcp-admin-token in');
    expect(String(text.stdout)).toContain('Clients need the new value: aisuite secrets get mcp-admin-token');
  });

  it("`secrets rotate` refuses Grafana's admin password, says how, and changes nothing (exit 2)", async () => {
    const env = { AISUITE_STATE_DIR: tmp };
    const file = path.join(tmp, 'aisuite', 'secrets.env');
    await runCli(['secrets', 'get', 'grafana-admin-password'], { env });
    const before = await fs.readFile(file, 'utf8');
    const run = await runCli(['secrets', 'rotate', 'grafana-admin-password'], { env });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toContain('grafana-admin-password cannot be rotated by writing a new value');
    expect(String(run.stderr)).toMatch(/Hint: Nothing was changed\. Change it in Grafana first/);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  it('`secrets rotate postgres-password` with no database deployed only writes the file (its first start takes it)', async () => {
    const env = { AISUITE_STATE_DIR: tmp };
    const project = `never-${process.pid}`;
    const get = async () =>
      String(
        (await runCli(['secrets', 'get', 'postgres-password', '--project', project], { env })).stdout,
      ).trim();
    const before = await get();
    const run = await runCli(['secrets', 'rotate', 'postgres-password', '--project', project, '--json'], {
      env,
    });
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(JSON.parse(String(run.stdout))).toMatchObject({
      secret: 'postgres-password',
      database: 'not-deployed',
    });
    expect(await get()).not.toBe(before);
  });

  it('an unknown secret name lists the allowed names (exit 2)', async () => {
    const run = await runCli(['secrets', 'get', 'root-password'], { env: { AISUITE_STATE_DIR: tmp } });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toContain(
      'gateway-api-key, grafana-admin-password, postgres-password, mcp-admin-token',
    );
    expect(String(run.stderr)).toContain('GATEWAY_API_KEY');
    const typo = await runCli(['secrets', 'get', 'gateway-api-kye'], { env: { AISUITE_STATE_DIR: tmp } });
    expect(String(typo.stderr)).toContain(
      'unknown secret "gateway-api-kye" (did you mean "gateway-api-key"?)',
    );
  });
});
