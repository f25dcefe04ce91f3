import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGES, isValidImageReference } from '../../../src/lib/suite/images.js';

describe('image references', () => {
  it.each([
    'postgres',
    'pgvector/pgvector:pg17',
    'ghcr.io/ggml-org/llama.cpp:server-cuda',
    'localhost:5000/a/b:1.0',
    `prom/prometheus@sha256:${'a'.repeat(64)}`,
    `prom/prometheus:v2.53.4@sha256:${'b'.repeat(64)}`,
    ...Object.values(DEFAULT_IMAGES),
  ])('accepts %s', (ref) => expect(isValidImageReference(ref)).toBe(true));

  it.each([
    '',
    'UPPER/case',
    'a b',
    'prom/prometheus:',
    'prom/prometheus:tag with space',
    ':tag',
    'prom//x',
    'x@sha256:short',
  ])('rejects %j', (ref) => expect(isValidImageReference(ref)).toBe(false));
});
