/**
 * Orders strings by UTF-16 code units (what `sort()` does without a comparator), for sorting by
 * name, path or ISO timestamp. Not `localeCompare`: its order follows the user's locale (a hash of
 * sorted paths must not change with LANG), and its first call in a process loads ICU's collator,
 * ~8 ms of every command on a small host.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
