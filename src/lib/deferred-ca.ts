/**
 * The CLI's side of bin/aisuite's deferred CA bundle. bin/aisuite starts Node without
 * NODE_EXTRA_CA_CERTS (Node 20 parses the bundle before running any code, 50-90 ms of every command
 * on a small host) and passes the path as AISUITE_DEFERRED_CA. Here, first thing in bin/run.js:
 * - NODE_EXTRA_CA_CERTS is set again, for every process the CLI starts;
 * - the HTTP client behind `fetch()` and undici's `request()` (undici's global dispatcher) becomes
 *   one that, on its first request, loads the bundle and trusts it beside Node's own roots, as
 *   NODE_EXTRA_CA_CERTS would have; a command that makes no request never reads it.
 * An unreadable bundle gives Node's own warning ("Ignoring extra certs from ...") at that point.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Agent, Dispatcher } from 'undici';

/** The key under which undici (the package, and the copy inside Node's fetch) finds its global dispatcher. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** An undici Agent trusting Node's root certificates and the PEM bundle `file`. */
function agentTrusting(file: string): Agent {
  const require = createRequire(import.meta.url);
  const { Agent } = require('undici') as typeof import('undici');
  const { rootCertificates } = require('node:tls') as typeof import('node:tls');
  let extra: string[] = [];
  try {
    extra = [readFileSync(file, 'utf8')];
  } catch (error) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}`);
  }
  return new Agent({ connect: { ca: [...rootCertificates, ...extra] } });
}

/** Takes over AISUITE_DEFERRED_CA (see above); does nothing without it. Returns the bundle's path. */
export function takeDeferredCa(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.AISUITE_DEFERRED_CA;
  if (!file) return undefined;
  delete env.AISUITE_DEFERRED_CA;
  env.NODE_EXTRA_CA_CERTS = file;
  let agent: Agent | undefined;
  const lazy: Pick<Dispatcher, 'dispatch' | 'close' | 'destroy'> = {
    dispatch: (options, handler) => (agent ??= agentTrusting(file)).dispatch(options, handler),
    close: (() => agent?.close() ?? Promise.resolve()) as Dispatcher['close'],
    destroy: (() => agent?.destroy() ?? Promise.resolve()) as Dispatcher['destroy'],
  };
  Object.defineProperty(globalThis, GLOBAL_DISPATCHER, { value: lazy, writable: true, configurable: true });
  return file;
}
