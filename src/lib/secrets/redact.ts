/** Every secret value aisuite has loaded; all output passes through `redact` before it is printed. */
const known = new Set<string>();

export const REDACTED = '***';

export function registerSecret(value: string): void {
  // very short values would redact ordinary words; generated secrets are long
  if (value.length >= 8) known.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const value of known) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  return out;
}

/** Deep copy of a JSON-like value with every known secret replaced. */
export function redactValue<T>(value: T): T {
  if (known.size === 0) return value;
  return JSON.parse(redact(JSON.stringify(value) ?? 'null')) as T;
}

/** For tests only. */
export function clearRegisteredSecrets(): void {
  known.clear();
}
