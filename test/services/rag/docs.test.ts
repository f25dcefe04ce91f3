/** docs/services.md documents every variable and metric of embedding and rag (a drift test). */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createEmbeddingMetrics, embeddingEnv } from '../../../src/services/embedding/index.js';
import { kitEnv } from '../../../src/services/kit/index.js';
import { createRagMetrics, ragEnv } from '../../../src/services/rag/index.js';

const doc = readFileSync(new URL('../../../docs/services.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start, `section "## ${title}"`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 4);
  return doc.slice(start, end === -1 ? undefined : end);
}

async function metricNames(create: (r: Registry) => unknown): Promise<string[]> {
  const r = new Registry();
  create(r);
  return (await r.getMetricsAsJSON()).map((m) => m.name);
}

describe('docs/services.md', () => {
  for (const [title, spec, create] of [
    ['embedding', embeddingEnv, createEmbeddingMetrics],
    ['rag', ragEnv, createRagMetrics],
  ] as const) {
    it(`documents every ${title} variable and metric`, async () => {
      const text = section(title);
      for (const name of Object.keys(spec).filter((k) => !(k in kitEnv))) {
        expect(text, name).toMatch(new RegExp(`\\| \`${name}\`\\s+\\|`));
      }
      for (const name of await metricNames(create)) expect(text, name).toContain(`\`${name}`);
    });
  }
});
