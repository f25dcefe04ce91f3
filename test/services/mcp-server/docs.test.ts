import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kitEnv } from '../../../src/services/kit/index.js';
import { mcpServerEnv } from '../../../src/services/mcp-server/config.js';
import { KNOWN_PERMISSIONS, TOOL_NAMES } from '../../../src/services/mcp-server/permissions.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (f: string): string => readFileSync(path.join(ROOT, f), 'utf8');

describe('mcp-server docs stay true', () => {
  it('docs/services.md lists every mcp-server variable in its mcp-server section', () => {
    const section = read('docs/services.md').split('\n## mcp-server\n')[1]?.split('\n## ')[0] ?? '';
    const own = Object.keys(mcpServerEnv).filter((k) => !(k in kitEnv));
    expect(own.filter((k) => !section.includes(`| \`${k}\``))).toEqual([]);
  });

  it('docs/MCP.md names every tool and every permission, and the pinned SDK version', () => {
    const doc = read('docs/MCP.md');
    expect(TOOL_NAMES.filter((t) => !doc.includes(`| \`${t}\``))).toEqual([]);
    expect(
      KNOWN_PERMISSIONS.filter((p) => !p.startsWith('tool:') || p === 'tool:*').filter(
        (p) => !doc.includes(`\`${p}\``),
      ),
    ).toEqual([]);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['@modelcontextprotocol/sdk']).toBe('1.32.2');
    expect(doc).toContain('pinned at 1.32.2');
  });
});
