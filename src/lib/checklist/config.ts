import type { AisuiteConfig } from '../config/schema.js';
import { UserError } from '../errors.js';

/**
 * Checklist settings from aisuite.yaml. Proposed keys (the config schema adds them):
 *
 * ```yaml
 * checklist:
 *   urls:                    # base URL per service, to check a suite this host did not start
 *     api-gateway: https://ai.example.internal:8000
 *     prometheus: http://10.0.0.5:9090
 *   deadlineSeconds: 300     # deadline for the whole run
 *   concurrency: 8           # checks running at once
 *   file: ./extra-checks.yaml
 * ```
 */
export interface ChecklistSettings {
  readonly urls: Readonly<Record<string, string>>;
  readonly deadlineSeconds?: number;
  readonly concurrency?: number;
  readonly file?: string;
}

type RawSettings = {
  urls?: Record<string, unknown>;
  deadlineSeconds?: unknown;
  concurrency?: unknown;
  file?: unknown;
};

/** Reads `checklist:` from the loaded config; `urls` given here (e.g. by a caller) win over the file's. */
export function checklistSettings(
  config: AisuiteConfig,
  overrides: { urls?: Readonly<Record<string, string>> } = {},
): ChecklistSettings {
  const raw = ((config as { checklist?: RawSettings }).checklist ?? {}) as RawSettings;
  const urls: Record<string, string> = {};
  for (const [service, value] of Object.entries({ ...raw.urls, ...overrides.urls })) {
    if (typeof value !== 'string' || !/^https?:\/\/[^/]+/.test(value)) {
      throw new UserError(
        `checklist.urls.${service}: expected an http(s) URL, got ${JSON.stringify(value)}`,
        {
          code: 'CONFIG_INVALID',
        },
      );
    }
    urls[service] = value.replace(/\/$/, '');
  }
  const positive = (key: string, v: unknown) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v > 0)) {
      throw new UserError(`checklist.${key}: expected a positive number`, { code: 'CONFIG_INVALID' });
    }
    return v;
  };
  return {
    urls,
    deadlineSeconds: positive('deadlineSeconds', raw.deadlineSeconds),
    concurrency: positive('concurrency', raw.concurrency),
    file: typeof raw.file === 'string' ? raw.file : undefined,
  };
}

/** Parses `--url SERVICE=URL` pairs. */
export function parseUrlFlags(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UserError(`--url ${JSON.stringify(pair)}: expected SERVICE=URL`, {
        hint: 'For example --url prometheus=http://10.0.0.5:9090',
        code: 'USAGE',
      });
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
