/**
 * Environment configuration, validated once at start. A service declares a spec (one entry per
 * variable, with its default and its meaning) and `loadEnv` returns a typed object or throws an
 * `EnvError` that names every bad variable, its value (redacted for secrets) and what is allowed.
 */

export interface EnvVar<T> {
  /** Human-readable kind and constraints, e.g. "an integer between 1 and 65535". */
  readonly allowed: string;
  /** One line on what the variable means (used by docs and error messages). */
  readonly doc: string;
  /** The default as a user would write it, or undefined when required / optional without default. */
  readonly defaultText: string | undefined;
  readonly secret: boolean;
  /** Returns the parsed value, or throws a plain Error whose message is why `raw` is not allowed. */
  parse(raw: string | undefined): T;
}

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type EnvValues<S extends EnvSpec> = { [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export class EnvError extends Error {
  readonly exitCode = 2;
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Parses every variable of `spec` from `env`; collects all problems before throwing one EnvError. */
export function loadEnv<S extends EnvSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): EnvValues<S> {
  const out: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const [name, v] of Object.entries(spec)) {
    const raw = env[name];
    try {
      out[name] = v.parse(raw === undefined || raw.trim() === '' ? undefined : raw.trim());
    } catch (e) {
      const shown = raw === undefined ? '(unset)' : v.secret ? '(redacted)' : JSON.stringify(raw);
      issues.push(`${name}=${shown}: ${(e as Error).message}; allowed: ${v.allowed}`);
    }
  }
  if (issues.length > 0) throw new EnvError(issues);
  return out as EnvValues<S>;
}

interface Common<T> {
  doc: string;
  default?: T;
  required?: boolean;
}

/** A variable with a default or marked required always has a value; otherwise it may be undefined. */
type Out<O, T> = O extends { default: T } | { required: true } ? T : T | undefined;

function make<T>(
  allowed: string,
  opts: Common<T> & { secret?: boolean },
  show: (v: T) => string,
  parse: (raw: string) => T,
): EnvVar<T> {
  return {
    allowed,
    doc: opts.doc,
    secret: opts.secret ?? false,
    defaultText: opts.default === undefined ? undefined : show(opts.default),
    parse(raw) {
      if (raw === undefined) {
        if (opts.default !== undefined) return opts.default;
        if (opts.required) throw new Error('is required');
        return undefined as T;
      }
      return parse(raw);
    },
  };
}

function int(opts: Common<number> & { min?: number; max?: number }): EnvVar<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
  return make(`an integer between ${min} and ${max}`, opts, String, (raw) => {
    if (!/^[-+]?\d+$/.test(raw)) throw new Error('not an integer');
    const n = Number(raw);
    if (n < min || n > max) throw new Error('out of range');
    return n;
  });
}

function float(opts: Common<number> & { min?: number; max?: number }): EnvVar<number> {
  const { min = -Infinity, max = Infinity } = opts;
  return make(`a number between ${min} and ${max}`, opts, String, (raw) => {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error('not a number');
    if (n < min || n > max) throw new Error('out of range');
    return n;
  });
}

function oneOf<const T extends string>(values: readonly T[], opts: Common<T>): EnvVar<T> {
  return make(`one of ${values.join(', ')}`, opts, String, (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error('not a known value');
    return raw as T;
  });
}

function url<O extends Common<string>>(opts: O): EnvVar<Out<O, string>> {
  return make<Out<O, string>>(
    'an http(s) URL such as http://host:8080',
    opts as Common<Out<O, string>>,
    String,
    (raw) => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new Error('not a URL');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http or https');
      return raw.replace(/\/+$/, '') as Out<O, string>;
    },
  );
}

function string<O extends Common<string> & { secret?: boolean; pattern?: RegExp }>(
  opts: O,
): EnvVar<Out<O, string>> {
  const allowed = opts.pattern ? `a string matching ${String(opts.pattern)}` : 'a non-empty string';
  return make<Out<O, string>>(
    allowed,
    opts as Common<Out<O, string>> & { secret?: boolean },
    (v) => (opts.secret ? '(secret)' : String(v)),
    (raw) => {
      if (opts.pattern && !opts.pattern.test(raw)) throw new Error('does not match');
      return raw as Out<O, string>;
    },
  );
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

function bool(opts: Common<boolean>): EnvVar<boolean> {
  return make('true/false (also 1/0, yes/no, on/off)', opts, String, (raw) => {
    const v = raw.toLowerCase();
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    throw new Error('not a boolean');
  });
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "250ms", "1.5s", "2m", "1h"; a bare number is read in `bareUnit` (default ms). */
export function parseDuration(raw: string, bareUnit: 'ms' | 's' = 'ms'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new Error('not a duration');
  return Number(m[1]) * (UNIT_MS[m[2] ?? bareUnit] ?? 1);
}

/** A duration, returned in milliseconds. */
function duration(opts: Common<number> & { bareUnit?: 'ms' | 's'; max?: number }): EnvVar<number> {
  const bare = opts.bareUnit ?? 'ms';
  return make(
    `a duration like 250ms, 2s, 1m (a bare number means ${bare})`,
    opts,
    (v) => `${v}ms`,
    (raw) => {
      const ms = parseDuration(raw, bare);
      if (opts.max !== undefined && ms > opts.max) throw new Error(`longer than ${opts.max}ms`);
      return ms;
    },
  );
}

/** Builders for env specs: `{ PORT: env.int({ default: 8080, min: 0, max: 65535, doc: '...' }) }`. */
export const env = { int, float, enum: oneOf, url, string, bool, duration };

/** Variables every service reads (merge into a service's own spec). */
export const kitEnv = {
  PORT: env.int({ default: 8080, min: 0, max: 65535, doc: 'TCP port to listen on (0 picks a free one)' }),
  HOST: env.string({ default: '127.0.0.1', doc: 'address to bind; containers set 0.0.0.0' }),
  LOG_LEVEL: env.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    doc: 'pino log level (JSON logs on stdout)',
  }),
  SHUTDOWN_GRACE: env.duration({
    default: 10_000,
    doc: 'on SIGTERM/SIGINT, how long in-flight requests (incl. streams) may finish before sockets are closed',
  }),
} satisfies EnvSpec;

/** Markdown table rows (`| NAME | default | meaning |`) for a spec, for docs. */
export function describeEnv(spec: EnvSpec): string {
  return Object.entries(spec)
    .map(
      ([n, v]) =>
        `| \`${n}\` | ${v.defaultText === undefined ? '(none)' : `\`${v.defaultText}\``} | ${v.doc} |`,
    )
    .join('\n');
}
