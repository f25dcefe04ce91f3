/**
 * The config `verify` deploys with: the user's file plus free host ports and a short scrape interval
 * (the post-deploy checklist waits for Prometheus's first scrape of every target).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/lib/config/load.js';
import { VERIFY_SCRAPE_INTERVAL_SECONDS, writeVerifyConfig } from '../../../src/lib/verify/ports.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function verifyConfigFrom(yaml: string | undefined) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-verify-config-'));
  dirs.push(dir);
  const file = yaml === undefined ? undefined : path.join(dir, 'aisuite.yaml');
  if (file !== undefined && yaml !== undefined) await writeFile(file, yaml);
  const written = await writeVerifyConfig(file, 'aisuite-verify-test', { AISUITE_STATE_DIR: dir });
  const text = await readFile(written.file, 'utf8');
  return { written, reread: parseConfig(text, written.file), mode: (await stat(written.file)).mode & 0o777 };
}

describe('writeVerifyConfig', () => {
  it('without a config: distinct free host ports, a 5 s scrape interval, mode 0600', async () => {
    const { written, reread, mode } = await verifyConfigFrom(undefined);
    expect(reread).toEqual(written.config);
    expect(reread.prometheus).toEqual({ scrapeIntervalSeconds: VERIFY_SCRAPE_INTERVAL_SECONDS });
    const ports = Object.values(reread.ports ?? {});
    expect(ports.length).toBeGreaterThan(5);
    expect(new Set(ports).size).toBe(ports.length);
    expect(mode).toBe(0o600);
  });

  it("keeps the user's scrape interval and other settings, drops the secrets file", async () => {
    const { reread } = await verifyConfigFrom(
      'prometheus:\n  scrapeIntervalSeconds: 30\nloki:\n  retentionHours: 48\nsecretsFile: /tmp/s.env\n',
    );
    expect(reread.prometheus).toEqual({ scrapeIntervalSeconds: 30 });
    expect(reread.loki).toEqual({ retentionHours: 48 });
    expect(reread.secretsFile).toBeUndefined();
    expect(reread.project).toBe('aisuite-verify-test');
  });
});
