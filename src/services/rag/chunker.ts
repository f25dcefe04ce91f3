/**
 * Splits a document into overlapping chunks of about `size` characters, cutting at a paragraph,
 * sentence or word boundary when one lies in the last part of the window.
 */
export function chunkText(text: string, size: number, overlap: number): string[] {
  const clean = text.replace(/\r\n?/g, '\n').trim();
  if (clean.length === 0) return [];
  if (clean.length <= size) return [clean];
  const chunks: string[] = [];
  let start = 0;
  while (start < clean.length) {
    let end = Math.min(start + size, clean.length);
    if (end < clean.length) end = boundary(clean, start, end);
    const piece = clean.slice(start, end).trim();
    if (piece) chunks.push(piece);
    if (end >= clean.length) break;
    // Step back by the overlap, to the start of a word, but always move forward.
    let next = Math.max(end - overlap, start + 1);
    while (next > start + 1 && next < end && !/\s/.test(clean[next - 1] as string)) next--;
    if (next <= start) next = end;
    start = next;
  }
  return chunks;
}

/** The best cut in the last 40% of [start, end): paragraph, then sentence end, then whitespace. */
function boundary(text: string, start: number, end: number): number {
  const floor = start + Math.floor((end - start) * 0.6);
  const window = text.slice(floor, end);
  for (const re of [/\n\s*\n/g, /[.!?]["')\]]?\s/g, /\s/g]) {
    let last = -1;
    for (const m of window.matchAll(re)) last = (m.index ?? 0) + m[0].length;
    if (last > 0) return floor + last;
  }
  return end;
}
