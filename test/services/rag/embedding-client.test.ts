import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeEmbedding,
  DependencyUnavailableError,
  EmbeddingClient,
} from '../../../src/services/rag/dependencies.js';

/** A real HTTP server answering POST /v1/embeddings with `handler`. */
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

  /** An OpenAI embeddings answer for `vectors`, as base64 float32 (what the client asks for). */
  const openAiAnswer = (vectors: number[][]) => ({
    object: 'list',
    data: vectors.map((v, index) => ({
      object: 'embedding',
      index,
      embedding: Buffer.from(new Float32Array(v).buffer).toString('base64'),
    })),
    model: 'm',
  });

  it('asks for base64 and returns the vectors of a well-formed answer, in index order', async () => {
    let asked: unknown;
    const c = await client((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        asked = { path: req.url, ...(JSON.parse(body) as object) };
        const answer = openAiAnswer([
          [0.5, -0.25],
          [0.75, 1],
        ]);
        answer.data.reverse(); // order comes from `index`, not position
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer));
      });
    });
    await expect(c.embed(['a', 'b'])).resolves.toEqual({
      vectors: [
        [0.5, -0.25],
        [0.75, 1],
      ],
      model: 'm',
      dimension: 2,
    });
    expect(asked).toEqual({ path: '/v1/embeddings', input: ['a', 'b'], encoding_format: 'base64' });
  });

  it('refuses an answer whose indexes leave a vector out or repeat one', async () => {
    const c = await client((_req, res) => {
      const answer = openAiAnswer([[1], [2]]);
      answer.data[1]!.index = 0;
      res.end(JSON.stringify(answer));
    });
    await expect(c.embed(['a', 'b'])).rejects.toThrow(/bad index 0/);
  });

  it('decodes base64 float32 exactly and takes plain arrays from servers that ignore encoding_format', () => {
    const v = [0.1, -0.2, 0.3];
    const b64 = Buffer.from(new Float32Array(v).buffer).toString('base64');
    expect(decodeEmbedding(b64)).toEqual(Array.from(new Float32Array(v)));
    expect(decodeEmbedding([0.6, 0.8])).toEqual([0.6, 0.8]);
    expect(() => decodeEmbedding(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(/not float32/);
    expect(() => decodeEmbedding(undefined)).toThrow(/without an embedding/);
  });

  it('a connection dropped after the headers, mid-body, is "embedding unavailable" (503), not a bad answer', async () => {
    const c = await client((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"data": [{"index": 0, "embedding": "AAAA');
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
        const texts = (JSON.parse(body) as { input: string[] }).input;
        sizes.push(texts.length);
        res.end(JSON.stringify(openAiAnswer(texts.map((t) => [Number(t)]))));
      });
    });
    const texts = Array.from({ length: 150 }, (_, i) => String(i));
    const r = await c.embed(texts);
    expect(sizes).toEqual([64, 64, 22]);
    expect(r.vectors.map((v) => v[0])).toEqual(texts.map(Number));
  });
});
