/**
 * bin/aisuite (the installed command) starts Node without NODE_EXTRA_CA_CERTS and hands the bundle to
 * the CLI to load on its first HTTPS request (src/lib/deferred-ca.ts). Real processes, a real HTTPS
 * server whose certificate only that bundle makes trusted (test/fixtures/tls).
 */
import { execa } from 'execa';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeDeferredCa } from '../../src/lib/deferred-ca.js';

const LAUNCHER = fileURLToPath(new URL('../../bin/aisuite', import.meta.url));
const RUN_JS = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const CERT = path.join(TLS, 'cert.pem');
const MISSING = '/nonexistent/aisuite-test-ca.pem';
/** Node's own message when NODE_EXTRA_CA_CERTS cannot be read. */
const IGNORED = 'Ignoring extra certs from';

const run = (file: string, args: string[], env: NodeJS.ProcessEnv) =>
  execa(file, args, { reject: false, env: { NO_COLOR: '1', ...env }, extendEnv: true, timeout: 60_000 });

describe('bin/aisuite and the deferred CA bundle', () => {
  let server: https.Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    // answers Prometheus's query, alerts and targets API with empty results: what is under test is the TLS handshake
    server = https.createServer(
      { key: readFileSync(path.join(TLS, 'key.pem')), cert: readFileSync(CERT) },
      (req, res) => {
        seen.push(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        const data = req.url?.startsWith('/api/v1/alerts')
          ? { alerts: [] }
          : req.url?.startsWith('/api/v1/targets')
            ? { activeTargets: [] }
            : { resultType: 'vector', result: [] };
        res.end(JSON.stringify({ status: 'success', data }));
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('Node started directly parses NODE_EXTRA_CA_CERTS at start; through the launcher it does not', async () => {
    const direct = await run(process.execPath, [RUN_JS, '--version'], { NODE_EXTRA_CA_CERTS: MISSING });
    expect(direct.stderr).toContain(IGNORED);
    const launched = await run(LAUNCHER, ['--version'], { NODE_EXTRA_CA_CERTS: MISSING });
    expect(launched.exitCode, launched.stderr).toBe(0);
    expect(launched.stdout).toMatch(/^aisuite\/\d/);
    expect(launched.stderr).not.toContain(IGNORED);
  });

  it('leaves NODE_EXTRA_CA_CERTS to Node when NODE_OPTIONS asks for the OpenSSL store', async () => {
    const r = await run(LAUNCHER, ['--version'], {
      NODE_EXTRA_CA_CERTS: MISSING,
      NODE_OPTIONS: '--use-openssl-ca',
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(IGNORED);
  });

  it('works through a relative symlink, as npm links it into node_modules/.bin', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aisuite-bin-'));
    try {
      const link = path.join(dir, 'aisuite');
      symlinkSync(path.relative(dir, LAUNCHER), link);
      const r = await run(link, ['--version'], {});
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^aisuite\/\d/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the CLI's own HTTPS requests trust the bundle; without it the same request fails on the certificate", async () => {
    const args = ['metrics', '--prometheus-url', url, '--json'];
    seen.length = 0;
    const untrusted = await run(LAUNCHER, args, { NODE_EXTRA_CA_CERTS: undefined });
    expect(untrusted.exitCode).not.toBe(0);
    expect(untrusted.stdout + untrusted.stderr).toMatch(/self[- ]signed|certificate/i);
    expect(seen).toEqual([]);

    const trusted = await run(LAUNCHER, args, { NODE_EXTRA_CA_CERTS: CERT });
    expect(trusted.stdout + trusted.stderr).not.toMatch(/self[- ]signed|certificate/i);
    expect(trusted.exitCode, trusted.stderr).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    expect((JSON.parse(trusted.stdout) as { prometheusUrl: string }).prometheusUrl).toBe(url);
  });

  it("fetch() (the checklist's HTTP probes) trusts the bundle too, and plain http still works", async () => {
    const script = [
      `import { takeDeferredCa } from ${JSON.stringify(new URL('../../dist/lib/deferred-ca.js', import.meta.url).href)};`,
      'takeDeferredCa();',
      `const r = await fetch(${JSON.stringify(`${url}/api/v1/query`)});`,
      // plain http goes through the same dispatcher
      "const http = await import('node:http');",
      "const s = http.createServer((_q, res) => res.end('plain')).listen(0, '127.0.0.1');",
      "await new Promise((ok) => s.once('listening', ok));",
      'const p = await fetch(`http://127.0.0.1:${s.address().port}/`).then((x) => x.text());',
      's.close();',
      'console.log(r.status, p, process.env.NODE_EXTRA_CA_CERTS);',
    ].join('\n');
    const r = await run(process.execPath, ['--input-type=module', '-e', script], {
      NODE_EXTRA_CA_CERTS: undefined,
      AISUITE_DEFERRED_CA: CERT,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`200 plain ${CERT}`);
    const without = await run(process.execPath, ['--input-type=module', '-e', script], {
      NODE_EXTRA_CA_CERTS: undefined,
    });
    expect(without.exitCode).not.toBe(0);
  });

  it('an unreadable bundle warns as Node would, when the first request is made', async () => {
    const r = await run(LAUNCHER, ['metrics', '--prometheus-url', url, '--json'], {
      NODE_EXTRA_CA_CERTS: MISSING,
    });
    expect(r.stderr).toContain(`${IGNORED} \`${MISSING}\``);
    expect(r.exitCode).not.toBe(0);
  });

  it('takeDeferredCa gives NODE_EXTRA_CA_CERTS back for child processes and drops its own variable', () => {
    const env: NodeJS.ProcessEnv = { AISUITE_DEFERRED_CA: CERT };
    const key = Symbol.for('undici.globalDispatcher.1');
    const before = (globalThis as Record<symbol, unknown>)[key];
    try {
      expect(takeDeferredCa(env)).toBe(CERT);
      expect(env).toEqual({ NODE_EXTRA_CA_CERTS: CERT });
      expect(takeDeferredCa({})).toBeUndefined();
    } finally {
      Object.defineProperty(globalThis, key, { value: before, writable: true, configurable: true });
    }
  });
});
