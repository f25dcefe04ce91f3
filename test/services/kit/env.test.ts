import { describe, expect, it } from 'vitest';
import { EnvError, env, kitEnv, loadEnv, parseDuration } from '../../../src/services/kit/index.js';

describe('loadEnv', () => {
  it('applies defaults and parses every kind', () => {
    const spec = {
      ...kitEnv,
      RATE: env.float({ default: 0, min: 0, max: 1, doc: 'r' }),
      MODE: env.enum(['a', 'b'] as const, { default: 'a', doc: 'm' }),
      UP: env.url({ default: 'http://x:1', doc: 'u' }),
      ON: env.bool({ default: false, doc: 'b' }),
      WAIT: env.duration({ default: 100, doc: 'd' }),
      OPT: env.string({ doc: 'o' }),
    };
    const cfg = loadEnv(spec, {
      PORT: '9000',
      RATE: '0.5',
      MODE: 'b',
      UP: 'https://h:2/',
      ON: 'yes',
      WAIT: '1.5s',
    });
    expect(cfg).toMatchObject({
      PORT: 9000,
      HOST: '127.0.0.1',
      RATE: 0.5,
      MODE: 'b',
      UP: 'https://h:2',
      ON: true,
    });
    expect(cfg.WAIT).toBe(1500);
    expect(cfg.OPT).toBeUndefined();
    expect(cfg.SHUTDOWN_GRACE).toBe(10_000);
  });

  it('collects every bad variable with its value and what is allowed', () => {
    const spec = { ...kitEnv, RATE: env.float({ default: 0, min: 0, max: 1, doc: 'r' }) };
    const err = (() => {
      try {
        loadEnv(spec, { PORT: 'abc', RATE: '2', LOG_LEVEL: 'loud' });
      } catch (e) {
        return e;
      }
    })() as EnvError;
    expect(err).toBeInstanceOf(EnvError);
    expect(err.exitCode).toBe(2);
    expect(err.issues).toHaveLength(3);
    expect(err.message).toContain('PORT="abc": not an integer; allowed: an integer between 0 and 65535');
    expect(err.message).toContain('RATE="2": out of range');
    expect(err.message).toContain('LOG_LEVEL="loud"');
    expect(err.message).toContain('one of fatal, error, warn, info, debug, trace, silent');
  });

  it('never prints a secret value and reports a missing required one', () => {
    const spec = {
      KEY: env.string({ required: true, secret: true, pattern: /^sk-/, doc: 'k' }),
      OTHER: env.string({ required: true, doc: 'o' }),
    };
    expect(() => loadEnv(spec, { KEY: 'hunter2' })).toThrowError(/KEY=\(redacted\): does not match/);
    try {
      loadEnv(spec, { KEY: 'hunter2' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
      expect((e as Error).message).toContain('OTHER=(unset): is required');
    }
  });

  it('parses durations with units and a bare unit', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('30', 's')).toBe(30_000);
    expect(() => parseDuration('soon')).toThrow();
  });
});
