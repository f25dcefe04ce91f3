/**
 * A command description as `--help` should get it. The source wraps its lines at ~110 columns; oclif
 * wraps again to the terminal's width and keeps the source's newlines, which made every description
 * ragged on an 80-column terminal (a long line, then a short one). The lines of a paragraph are joined;
 * a blank line still separates paragraphs.
 */
export function prose(text: string): string {
  return text
    .split(/\n[ \t]*\n/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => line.trim())
        .join(' '),
    )
    .join('\n\n');
}
