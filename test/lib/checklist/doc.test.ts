import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_PATH, generateChecklistDoc } from '../../../scripts/generate-checklist-doc.js';
import { BUILTIN_TEMPLATES } from '../../../src/lib/checklist/definitions.js';

describe('docs/DEPLOYMENT_CHECKLIST.md', () => {
  it('is what the generator makes from the checklist definitions (run scripts/generate-checklist-doc.ts)', async () => {
    const fresh = await generateChecklistDoc();
    expect(fs.readFileSync(DOC_PATH, 'utf8')).toBe(fresh);
  });

  it('names every built-in check with its remedy, the rollback procedure and the phases', async () => {
    const doc = await generateChecklistDoc();
    for (const t of BUILTIN_TEMPLATES) {
      expect(doc).toContain(`\`${t.id}`);
    }
    expect(doc).toContain('## Rollback');
    expect(doc).toContain('**Phase 2, RAG**');
    expect(doc).toContain('## Troubleshooting, check by check');
  });
});
