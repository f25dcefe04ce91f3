/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * The candidate `word` most likely meant, if it looks like a typo of one, or of one of its dash-separated
 * parts (`gatewy` -> `api-gateway`): at most a third of the letters off, at least one; case ignored.
 * Undefined when none is that close, or when two are equally close (`exporter`).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  let tied = false;
  for (const name of candidates) {
    const forms = [name, ...(name.includes('-') ? name.split('-') : [])].map((f) => f.toLowerCase());
    const distance = Math.min(
      ...forms.map((f) => {
        const d = editDistance(w, f);
        return d <= Math.max(1, Math.floor(f.length / 3)) ? d : Infinity;
      }),
    );
    if (distance === Infinity) continue;
    if (!best || distance < best.distance) {
      best = { name, distance };
      tied = false;
    } else if (distance === best.distance) tied = true;
  }
  return tied ? undefined : best?.name;
}

/** ` (did you mean "x"?)` for a typo of one of `candidates`, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const meant = closest(word, candidates);
  return meant ? ` (did you mean ${JSON.stringify(meant)}?)` : '';
}
