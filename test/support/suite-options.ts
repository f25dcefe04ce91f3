import type { SuiteOptions } from '../../src/lib/suite/build.js';

/** Suite options as resolveSuite would build them from defaults, with overrides for one test. */
export function suiteOptions(overrides: Partial<SuiteOptions> = {}): SuiteOptions {
  return {
    project: 'aisuite',
    phase: 1,
    profile: 'cpu',
    without: [],
    images: {},
    ports: {},
    bindAddress: '127.0.0.1',
    modelsDir: '/srv/models',
    nGpuLayers: 99,
    chatModelFile: 'chat.gguf',
    codeModelFile: 'code.gguf',
    contextSize: 8192,
    embeddingModel: 'BAAI/bge-small-en-v1.5',
    packageImage: 'aisuite/services:0.1.0',
    alerting: { webhook: [], slack: [], email: [] },
    lokiRetentionHours: 168,
    ...overrides,
  };
}
