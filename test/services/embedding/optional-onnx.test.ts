/**
 * The ONNX runtime is an optional peer dependency: the hashing backend must work without it, and
 * the onnx backend must say clearly that it is missing. "Not installed" is made real for the child
 * process with a module resolve hook that refuses @huggingface/transformers and onnxruntime-*.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'aisuite-noonnx-'));
  writeFileSync(
    path.join(dir, 'hook.mjs'),
    `export async function resolve(spec, ctx, next) {
  if (spec.startsWith('@huggingface/transformers') || spec.startsWith('onnxruntime')) {
    throw Object.assign(new Error("Cannot find package '" + spec + "'"), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(spec, ctx);
}\n`,
  );
  writeFileSync(
    path.join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hook.mjs')).href)});\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the embedding service without the ONNX packages; resolves with its URL or its exit. */
async function run(
  env: Record<string, string>,
): Promise<{ url?: string; code?: number | null; out: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', path.join(dir, 'register.mjs'), 'src/services/main.ts', 'embedding'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  return new Promise((resolve) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:[^"]+)".*"msg":"listening"/.exec(out);
      if (m && /"to":"ready"/.test(out)) resolve({ url: m[1], out, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(([code]) => resolve({ code: code as number | null, out, stop }));
  });
}

describe('embedding without @huggingface/transformers installed', () => {
  it('serves with the hashing backend', async () => {
    const r = await run({ EMBEDDING_BACKEND: 'hashing' });
    try {
      expect(r.url, r.out).toBeDefined();
      const res = await fetch(`${r.url}/embed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ texts: ['works without onnx'] }),
      });
      const body = (await res.json()) as { embeddings: number[][] };
      expect(body.embeddings[0]).toHaveLength(384);
    } finally {
      await r.stop();
    }
  });

  it('fails to start the onnx backend with a message naming the missing package', async () => {
    const models = path.resolve(ROOT, 'test/fixtures/models');
    const r = await run({
      EMBEDDING_BACKEND: 'onnx',
      EMBEDDING_MODEL: 'vespa-dummy-mlm',
      MODELS_DIR: models,
    });
    await r.stop();
    expect(r.code).toBe(1);
    expect(r.out).toContain('needs the optional package @huggingface/transformers');
  });
});
