import { describe, expect, it } from 'vitest';
import { buildOutputLines } from '../../../src/lib/docker/images.js';

describe('buildOutputLines', () => {
  it("keeps the steps and the commands' output, without colour codes, blank lines or layer bookkeeping", () => {
    // chunks as the engine's classic builder streams them (recorded from a failed services image build)
    const chunks = [
      'Step 7/14 : RUN npm ci --omit=dev --no-audit --no-fund',
      '\n',
      ' ---> Running in 03c5102f4c99\n',
      '\u001b[91mnpm warn EBADENGINE Unsupported engine {\nnpm warn EBADENGINE }\n\u001b[0m',
      '\u001b[91mnpm error code SELF_SIGNED_CERT_IN_CHAIN\n\u001b[0m',
      'Removing intermediate container 03c5102f4c99\n',
      ' ---> 65de8399ebf9\n',
      'Successfully built b6a247569049\n',
      'Successfully tagged aisuite/services:0.1.0-7d959a4ca44c\n',
    ];
    expect(chunks.flatMap(buildOutputLines)).toEqual([
      'Step 7/14 : RUN npm ci --omit=dev --no-audit --no-fund',
      'npm warn EBADENGINE Unsupported engine {',
      'npm warn EBADENGINE }',
      'npm error code SELF_SIGNED_CERT_IN_CHAIN',
      'Successfully tagged aisuite/services:0.1.0-7d959a4ca44c',
    ]);
  });
});
