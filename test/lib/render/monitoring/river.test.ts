/** The typed River writer: output the strict reader parses back to the same values, and bad names refused. */
import { describe, expect, it } from 'vitest';
import { attr, block, ref, writeRiver } from '../../../../src/lib/render/monitoring/river.js';
import { parseRiver } from './river-parse.js';

describe('writeRiver', () => {
  it('writes blocks, labels, attributes and every value kind so they parse back unchanged', () => {
    const text = writeRiver(
      ['header line'],
      [
        block('loki.process', 'x', [
          attr('text', 'quote " backslash \\ newline \n tab \t unicode é'),
          attr('number', 1.5),
          attr('flag', false),
          attr('list', ['a', 2, true]),
          attr('object', { plain: 'p', 'needs-quotes': 'q' }),
          attr('forward_to', [ref('loki.write.default.receiver')]),
          block('stage.json', undefined, [attr('expressions', { level: '' })]),
          block('empty', undefined, []),
        ]),
      ],
    );
    expect(text.startsWith('// header line\n\n')).toBe(true);
    expect(parseRiver(text)).toEqual([
      {
        name: 'loki.process',
        label: 'x',
        attrs: {
          text: 'quote " backslash \\ newline \n tab \t unicode é',
          number: 1.5,
          flag: false,
          list: ['a', 2, true],
          object: { plain: 'p', 'needs-quotes': 'q' },
          forward_to: [{ ref: 'loki.write.default.receiver' }],
        },
        blocks: [
          { name: 'stage.json', attrs: { expressions: { level: '' } }, blocks: [] },
          { name: 'empty', attrs: {}, blocks: [] },
        ],
      },
    ]);
  });

  it('refuses names and references River would reject', () => {
    expect(() => attr('bad-name', 1)).toThrow(/attribute name/);
    expect(() => block('loki..process', undefined, [])).toThrow(/block name/);
    expect(() => ref('loki.write."x"')).toThrow(/reference/);
    expect(() => writeRiver([], [block('a', undefined, [attr('n', Number.NaN)])])).toThrow(
      /River has no NaN/,
    );
  });
});

describe('parseRiver (the test reader)', () => {
  it('fails on malformed input', () => {
    expect(() => parseRiver('a {')).toThrow();
    expect(() => parseRiver('a { b = }')).toThrow();
    expect(() => parseRiver('x = 1')).toThrow(/outside of blocks/);
    expect(() => parseRiver('a { b = 1 b = 2 }')).toThrow(/twice/);
  });
});
