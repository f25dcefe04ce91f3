import { describe, expect, it } from 'vitest';
import { chooseRenderer, useColor } from '../../src/lib/output.js';

describe('output decisions', () => {
  it.each([
    [{ json: true, isTTY: true, env: {} }, 'silent'],
    [{ quiet: true, isTTY: true, env: {} }, 'silent'],
    [{ isTTY: true, env: { VITEST: 'true' } }, 'test'],
    [{ isTTY: true, env: { CI: 'true' } }, 'verbose'],
    [{ isTTY: false, env: {} }, 'verbose'],
    [{ isTTY: true, env: { NO_COLOR: '1' } }, 'verbose'],
    [{ isTTY: true, env: { TERM: 'xterm' } }, 'default'],
    [{ isTTY: true, env: { VITEST: 'true', AISUITE_RENDERER: 'verbose' } }, 'verbose'],
  ] as const)('renderer for %j is %s', (input, expected) => {
    expect(chooseRenderer(input)).toBe(expected);
  });

  it('colour only on a TTY without NO_COLOR and never with --json', () => {
    expect(useColor({ isTTY: true, env: { TERM: 'xterm' } })).toBe(true);
    expect(useColor({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(useColor({ isTTY: false, env: {} })).toBe(false);
    expect(useColor({ isTTY: true, json: true, env: {} })).toBe(false);
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
  });
});
