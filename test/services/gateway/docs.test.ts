import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gatewayEnv } from '../../../src/services/gateway/index.js';
import { kitEnv } from '../../../src/services/kit/index.js';
import { mockInferenceEnv } from '../../../src/services/mock-inference/index.js';

const doc = readFileSync(new URL('../../../docs/services.md', import.meta.url), 'utf8');

/** The rows of the variables table under a `## heading` (up to the next `## `). */
function documented(heading: string): string[] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 4);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` *\|/gm)].map((m) => m[1] ?? '');
}

describe('docs/services.md', () => {
  it.each([
    ['Service kit', kitEnv, {}],
    ['mock-inference', mockInferenceEnv, kitEnv],
    ['api-gateway', gatewayEnv, kitEnv],
  ])('documents every variable %s reads, and no other', (heading, spec, common) => {
    const own = Object.keys(spec).filter((k) => !(k in common));
    expect(documented(heading).sort()).toEqual(own.sort());
  });
});
