import { describe, expect, it } from 'vitest';
import { checklistSettings, parseUrlFlags } from '../../../src/lib/checklist/config.js';
import type { AisuiteConfig } from '../../../src/lib/config/schema.js';

describe('checklist settings from aisuite.yaml', () => {
  it('reads checklist.urls, deadline and concurrency; --url overrides win; trailing slashes go', () => {
    const config = {
      checklist: {
        urls: { prometheus: 'http://10.0.0.5:9090/', 'api-gateway': 'https://ai.example.internal' },
        deadlineSeconds: 300,
        concurrency: 4,
        file: 'extra.yaml',
      },
    } as AisuiteConfig;
    const settings = checklistSettings(config, {
      urls: parseUrlFlags(['prometheus=http://127.0.0.1:19090']),
    });
    expect(settings).toEqual({
      urls: { prometheus: 'http://127.0.0.1:19090', 'api-gateway': 'https://ai.example.internal' },
      deadlineSeconds: 300,
      concurrency: 4,
      file: 'extra.yaml',
    });
    expect(checklistSettings({})).toEqual({
      urls: {},
      deadlineSeconds: undefined,
      concurrency: undefined,
      file: undefined,
    });
  });

  it('rejects what is not a URL or not positive, as bad input', () => {
    expect(() => checklistSettings({ checklist: { urls: { rag: 'ftp://x' } } } as AisuiteConfig)).toThrow(
      'checklist.urls.rag: expected an http(s) URL, got "ftp://x"',
    );
    expect(() => checklistSettings({ checklist: { deadlineSeconds: 0 } } as AisuiteConfig)).toThrow(
      'checklist.deadlineSeconds: expected a positive number',
    );
    expect(() => parseUrlFlags(['prometheus'])).toThrow('--url "prometheus": expected SERVICE=URL');
  });
});
