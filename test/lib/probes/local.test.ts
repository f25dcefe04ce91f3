import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe, systemClock } from '../../../src/lib/probes/index.js';
import { freePort } from './support.js';

const ctx = () => ({ signal: AbortSignal.timeout(5000), clock: systemClock });
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-probe-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('file probe on real files', () => {
  it('passes for a 0600 file and fails for 0644, naming both modes', async () => {
    const file = path.join(dir, 'secrets.env');
    await fs.writeFile(file, 'A=1\n', { mode: 0o600 });
    await fs.chmod(file, 0o600);
    expect((await createProbe({ kind: 'file', path: file, mode: '0600' }).run(ctx())).ok).toBe(true);
    await fs.chmod(file, 0o644);
    const outcome = await createProbe({ kind: 'file', path: file, mode: '0600' }).run(ctx());
    expect(outcome).toMatchObject({ ok: false, message: `${file} has mode 0644 (expected 0600)` });
  });

  it('checks existence, type and size', async () => {
    const file = path.join(dir, 'chat.gguf');
    await fs.writeFile(file, Buffer.alloc(2048));
    expect((await createProbe({ kind: 'file', path: file, minBytes: 1024 }).run(ctx())).ok).toBe(true);
    expect((await createProbe({ kind: 'file', path: file, minBytes: 4096 }).run(ctx())).message).toBe(
      `${file} has 2048 bytes (expected >= 4096)`,
    );
    expect((await createProbe({ kind: 'file', path: file, type: 'directory' }).run(ctx())).ok).toBe(false);
    expect((await createProbe({ kind: 'file', path: dir, type: 'directory' }).run(ctx())).ok).toBe(true);
    expect((await createProbe({ kind: 'file', path: path.join(dir, 'missing') }).run(ctx())).message).toBe(
      `${path.join(dir, 'missing')} does not exist`,
    );
  });
});

describe('disk probe', () => {
  it('measures the nearest existing directory', async () => {
    const outcome = await createProbe({
      kind: 'disk',
      path: path.join(dir, 'not', 'yet'),
      minFreeMiB: 1,
    }).run(ctx());
    expect(outcome.ok).toBe(true);
    expect(outcome.observed).toMatchObject({ path: dir });
    const stats = await fs.statfs(dir);
    const free = Math.floor((stats.bavail * stats.bsize) / 1024 / 1024);
    const tooMuch = await createProbe({ kind: 'disk', path: dir, minFreeMiB: free * 100 }).run(ctx());
    expect(tooMuch.ok).toBe(false);
    expect(tooMuch.message).toMatch(/MiB free on .* \(need \d+ MiB\)/);
  });
});

describe('tcp probe on real ports', () => {
  it('sees a listening port as listening and not free', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(
        (await createProbe({ kind: 'tcp', host: '127.0.0.1', port, expect: 'listening' }).run(ctx())).ok,
      ).toBe(true);
      const free = await createProbe({ kind: 'tcp', host: '127.0.0.1', port, expect: 'free' }).run(ctx());
      expect(free).toMatchObject({ ok: false, message: `127.0.0.1:${port} is already in use` });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('sees a closed port as free and not listening', async () => {
    const port = await freePort();
    expect((await createProbe({ kind: 'tcp', host: '127.0.0.1', port, expect: 'free' }).run(ctx())).ok).toBe(
      true,
    );
    const listening = await createProbe({ kind: 'tcp', host: '127.0.0.1', port, expect: 'listening' }).run(
      ctx(),
    );
    expect(listening).toMatchObject({ ok: false, message: `127.0.0.1:${port}: ECONNREFUSED` });
  });
});

describe('command probe', () => {
  it('checks the exit code and output of a real process', async () => {
    expect(
      (
        await createProbe({
          kind: 'command',
          command: ['node', '-e', 'console.log("v1.2")'],
          stdoutMatches: '^v1\\.',
        }).run(ctx())
      ).ok,
    ).toBe(true);
    const bad = await createProbe({
      kind: 'command',
      command: ['node', '-e', 'console.error("boom"); process.exit(3)'],
    }).run(ctx());
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/exited 3 \(expected 0\): boom$/);
    const missing = await createProbe({ kind: 'command', command: ['no-such-binary-aisuite'] }).run(ctx());
    expect(missing.ok).toBe(false);
  });
});
