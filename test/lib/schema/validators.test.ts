import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, generateValidators } from '../../../src/lib/schema/generate.js';
import { errorsOf, validateChecksFile, validateConfig } from '../../../src/lib/schema/validate.js';

describe('validators compiled ahead of time', () => {
  it('the committed module is what the schemas compile to now (else: npm run generate:validators)', async () => {
    expect(await readFile(GENERATED_FILE, 'utf8')).toBe(generateValidators());
  });

  it('checks formats without ajv at run time (ipv4, uri, email)', () => {
    expect(errorsOf(validateConfig, { bindAddress: '127.0.0.1' })).toEqual([]);
    const errors = errorsOf(validateConfig, { bindAddress: '127.0.0.999' });
    expect(errors.map((e) => [e.instancePath, e.keyword])).toEqual([['/bindAddress', 'format']]);
  });

  it('reports every error (allErrors), with the unknown key named', () => {
    const errors = errorsOf(validateConfig, { phase: 7, nope: true });
    expect(errors.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'enum']);
    expect(errors.find((e) => e.keyword === 'additionalProperties')?.params).toEqual({
      additionalProperty: 'nope',
    });
  });

  it('validates a checks file by probe kind (discriminator)', () => {
    const check = { id: 'tcp-gateway', title: 'Gateway port', severity: 'warning' };
    const file = (probe: object) => ({ version: 1, checks: [{ ...check, probe }] });
    expect(
      errorsOf(validateChecksFile, file({ kind: 'tcp', host: 'localhost', port: 8000, expect: 'listening' })),
    ).toEqual([]);
    const errors = errorsOf(validateChecksFile, file({ kind: 'telepathy' }));
    expect(errors.map((e) => e.keyword)).toContain('discriminator');
  });
});

describe('did you mean', () => {
  it('names the candidate a word is a typo of, or of one of its parts; nothing when none or two are close', async () => {
    const { closest } = await import('../../../src/lib/closest.js');
    const services = [
      'inference-chat',
      'api-gateway',
      'node-exporter',
      'postgres-exporter',
      'grafana',
      'rag',
    ];
    expect(closest('grafanna', services)).toBe('grafana');
    expect(closest('gatewy', services)).toBe('api-gateway');
    expect(closest('Chat', services)).toBe('inference-chat');
    expect(closest('ragg', services)).toBe('rag');
    expect(closest('exporter', services)).toBeUndefined(); // two equally close
    expect(closest('foo', services)).toBeUndefined();
  });
});
