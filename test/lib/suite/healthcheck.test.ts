/**
 * The Docker HEALTHCHECK of the package's Node services, run as the engine runs it (the same argv, a
 * real `node`), against a real HTTP server standing in for the service's /readyz on its port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSuite } from '../../../src/lib/suite/build.js';
import { SERVICE_PORT } from '../../../src/lib/suite/catalog.js';
import { suiteOptions } from '../../support/suite-options.js';

let server: http.Server;
let port = 0;
let status = 200;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.statusCode = req.url === '/readyz' ? status : 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

describe("the Node services' healthcheck", () => {
  const suite = buildSuite(suiteOptions({ phase: 3 }));
  const nodeChecked = suite.services.filter((s) => s.healthcheck?.test[1] === 'node');

  /** Runs the check's argv (after CMD) with the service's port moved to `to`; resolves to its exit code. */
  const run = async (test: readonly string[], to = port) => {
    const [, cmd, ...args] = test as [string, string, ...string[]];
    const argv = args.map((a) => a.replace(`:${SERVICE_PORT}/`, `:${to}/`));
    return (await execa(cmd, argv, { reject: false, timeout: 10_000 })).exitCode;
  };

  it('is used by every package service, on /readyz', () => {
    expect(nodeChecked.map((s) => s.name).sort()).toEqual(
      ['api-gateway', 'embedding', 'inference-chat', 'inference-code', 'mcp-server', 'rag'].sort(),
    );
    for (const s of nodeChecked) expect(s.healthcheck?.test.join(' ')).toContain(`:${SERVICE_PORT}/readyz`);
  });

  it('exits 0 on a 2xx, 1 on a 503 and 1 when nothing listens', async () => {
    const test = nodeChecked[0]!.healthcheck!.test;
    status = 200;
    expect(await run(test)).toBe(0);
    status = 503;
    expect(await run(test)).toBe(1);
    const closed = await new Promise<number>((r) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => r(p));
      });
    });
    expect(await run(test, closed)).toBe(1);
  });
});
