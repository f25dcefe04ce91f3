import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../../src/services/embedding/backend.js';
import { createHashingEmbedder } from '../../../src/services/embedding/hashing.js';
import { ModelHolder } from '../../../src/services/embedding/model-holder.js';

/** A real hashing embedder that records when it is disposed. */
function tracked(model: string): Embedder & { disposed: number } {
  const e = createHashingEmbedder(model, 16);
  const t = {
    ...e,
    disposed: 0,
    async dispose() {
      t.disposed++;
    },
  };
  return t;
}

describe('ModelHolder', () => {
  it('disposes a replaced model only after its last in-flight lease ends', async () => {
    const a = tracked('a');
    const b = tracked('b');
    const released: string[] = [];
    const holder = new ModelHolder(a, (e) => released.push(e.info.model));
    const lease = holder.lease();
    await holder.reload('b', async () => b);
    expect(holder.embedder).toBe(b);
    expect(lease.embedder).toBe(a);
    expect(holder.retiring).toBe(1);
    expect(a.disposed).toBe(0);
    lease.release();
    lease.release(); // idempotent
    await new Promise((r) => setImmediate(r));
    expect(a.disposed).toBe(1);
    expect(released).toEqual(['a']);
    expect(holder.retiring).toBe(0);
  });

  it('keeps the current model when loading the next one fails', async () => {
    const a = tracked('a');
    const holder = new ModelHolder(a);
    await expect(holder.reload('x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(holder.embedder).toBe(a);
    expect(holder.reloadingTo).toBeUndefined();
    await holder.close();
    expect(a.disposed).toBe(1);
  });
});
