import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, auditFile, readAudit } from '../../../src/lib/audit/audit.js';

describe('audit log', () => {
  let state: string;
  const env = () => ({ ...process.env, AISUITE_STATE_DIR: state });
  beforeAll(async () => {
    state = await fs.mkdtemp(path.join(os.tmpdir(), 'aisuite-audit-'));
  });
  afterAll(async () => fs.rm(state, { recursive: true, force: true }));

  it('appends one JSON line per change with who, where and when, and never rewrites earlier lines', async () => {
    await appendAudit('p', { action: 'up', result: 'ok', tag: 'A' }, env());
    const first = await fs.readFile(auditFile('p', env()), 'utf8');
    await appendAudit('p', { action: 'rollback', result: 'ok', tag: 'A', from: 'B' }, env());
    const text = await fs.readFile(auditFile('p', env()), 'utf8');
    expect(text.startsWith(first)).toBe(true);
    const log = await readAudit('p', { env: env() });
    expect(log.entries.map((e) => [e.action, e.tag, e.from])).toEqual([
      ['up', 'A', undefined],
      ['rollback', 'A', 'B'],
    ]);
    expect(log.entries[0]).toMatchObject({
      project: 'p',
      host: os.hostname(),
      pid: process.pid,
      result: 'ok',
    });
    expect(Date.parse(log.entries[0]!.time)).not.toBeNaN();
  });

  it('lines from concurrent processes never interleave; damaged lines are reported by number', async () => {
    const script = `
      import { appendAudit } from ${JSON.stringify(path.resolve('src/lib/audit/audit.ts'))};
      for (let i = 0; i < 25; i++) await appendAudit('c', { action: 'up', result: 'ok', message: 'y'.repeat(2000) });
    `;
    await Promise.all(
      Array.from({ length: 4 }, () =>
        execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          env: { ...env(), AISUITE_STATE_DIR: state },
        }),
      ),
    );
    let log = await readAudit('c', { env: env() });
    expect(log.entries).toHaveLength(100);
    expect(log.invalidLines).toEqual([]);
    await fs.appendFile(auditFile('c', env()), '{"time": "trunc\n');
    log = await readAudit('c', { env: env(), limit: 10 });
    expect(log.entries).toHaveLength(10);
    expect(log.invalidLines).toEqual([101]);
  });
});
