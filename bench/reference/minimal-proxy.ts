/**
 * A reference point for the gateway bench, not a product: the least an HTTP proxy in Node can do per
 * request (node:http server, undici Pool upstream, no auth, validation, routing, retries, metrics or
 * logs). Non-streamed answers are buffered; streamed ones are piped chunk by chunk. Its throughput
 * against direct shows what the machine allows a Node proxy at all, apart from the gateway's features.
 *
 * `node --import tsx bench/reference/minimal-proxy.ts <upstream-url>`: prints the URL it listens on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = new Pool(process.argv[2] ?? 'http://127.0.0.1:8080', { connections: 256 });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    upstream
      .request({
        method: 'POST',
        path: req.url ?? '/',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      })
      .then(async (up) => {
        res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? '') });
        for await (const c of up.body) res.write(c);
        res.end();
      })
      .catch((e: Error) => {
        res.writeHead(502).end(e.message);
      });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void upstream.close();
  server.closeAllConnections();
});
