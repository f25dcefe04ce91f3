import { describe, expect, it } from 'vitest';
import { prose } from '../../src/lib/cli/prose.js';

describe('prose', () => {
  it('joins the lines of a paragraph and keeps blank lines between paragraphs', () => {
    expect(prose('one two\nthree  \n  four\n\nfive\nsix\n \nseven')).toBe(
      'one two three four\n\nfive six\n\nseven',
    );
  });

  it('leaves a one-line text as it is', () => {
    expect(prose('Deploy the suite.')).toBe('Deploy the suite.');
  });
});
