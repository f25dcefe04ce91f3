import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError, EmbeddingClient } from '../../../src/services/rag/dependencies.js';

/** A real HTTP server answering POST /embed with `handler`. */
async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('EmbeddingClient against a real HTTP server', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  async function client(handler: http.RequestListener): Promise<EmbeddingClient> {
    const s = await serve(handler);
    const c = new EmbeddingClient(s.url, 2_000, 64);
    cleanup.push(() => c.close(), s.close);
    return c;
  }

  it('returns the vectors of a well-formed answer', async () => {
    const c = await client((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ embeddings: [[0.6, 0.8]], model: 'm', dimension: 2 }));
    });
    await expect(c.embed(['hello'])).resolves.toEqual({ vectors: [[0.6, 0.8]], model: 'm', dimension: 2 });
  });

  it('a connection dropped after the headers, mid-body, is "embedding unavailable" (503), not a bad answer', async () => {
    const c = await client((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"embeddings": [[0.1,');
      // the service goes away while the body is on the wire
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await c.embed(['hello']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect(err).toMatchObject({ dependency: 'embedding', message: expect.stringMatching(/unreachable/) });
  });

  it('a 5xx or 429 is "embedding unavailable"; a 4xx is a rejected request, not an outage', async () => {
    let status = 503;
    const c = await client((_req, res) => {
      res.statusCode = status;
      res.end(JSON.stringify({ error: { message: 'nope' } }));
    });
    for (status of [500, 503, 429]) {
      await expect(c.embed(['x'])).rejects.toBeInstanceOf(DependencyUnavailableError);
    }
    status = 400;
    const err = await c.embed(['x']).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DependencyUnavailableError);
    expect((err as Error).message).toMatch(/rejected the request \(400\): nope/);
  });

  it('splits large inputs into batches of the configured size, in order', async () => {
    const sizes: number[] = [];
    const c = await client((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const texts = (JSON.parse(body) as { texts: string[] }).texts;
        sizes.push(texts.length);
        res.end(JSON.stringify({ embeddings: texts.map((t) => [Number(t)]), model: 'm', dimension: 1 }));
      });
    });
    const texts = Array.from({ length: 150 }, (_, i) => String(i));
    const r = await c.embed(texts);
    expect(sizes).toEqual([64, 64, 22]);
    expect(r.vectors.map((v) => v[0])).toEqual(texts.map(Number));
  });
});
