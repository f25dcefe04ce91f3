import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// Bad input and bad locations through the built CLI: each a clear message and exit 2, never a crash.
describe('input checks (built CLI)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-input-'));
  });
  afterAll(async () => fs.rm(tmp, { recursive: true, force: true }));

  const env = () => ({ AISUITE_STATE_DIR: path.join(tmp, 'state') });

  it('a state directory where a file is in the way: exit 2 naming the path, not a crash', async () => {
    const file = path.join(tmp, 'not-a-dir');
    await fs.writeFile(file, 'x');
    const run = await runCli(['secrets', 'get', 'gateway-api-key'], { env: { AISUITE_STATE_DIR: file } });
    expect(run.exitCode, String(run.stderr)).toBe(2);
    expect(String(run.stderr)).toContain(
      `Error: cannot open ${file}/aisuite/secrets.env (a file is in the way)`,
    );
    expect(String(run.stderr)).toContain('AISUITE_STATE_DIR');
  });

  it('logs checks its service and --since before asking the engine', async () => {
    const noEngine = { ...env(), DOCKER_HOST: `unix://${path.join(tmp, 'no-engine.sock')}` };
    const since = await runCli(['logs', '--since', 'yesterday'], { env: noEngine });
    expect(since.exitCode).toBe(2);
    expect(String(since.stderr)).toContain('--since "yesterday": expected a duration (10m, 2h) or a date');
    const service = await runCli(['logs', 'gatewy'], { env: noEngine });
    expect(service.exitCode).toBe(2);
    expect(String(service.stderr)).toContain(
      'unknown service "gatewy" (did you mean "gateway"?)'.replace('"gateway"', '"api-gateway"'),
    );
    // and with valid input it does ask, and says the engine is not there
    const valid = await runCli(['logs', 'api-gateway', '--since', '10m'], { env: noEngine });
    expect(valid.exitCode).toBe(2);
    expect(String(valid.stderr)).toContain('the Docker engine is not reachable');
  });
});
