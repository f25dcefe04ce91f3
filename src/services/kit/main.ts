import { EnvError } from './env.js';

/** What a service module's `start(env)` resolves to. */
export interface RunningService {
  url: string;
  close(signal?: NodeJS.Signals): Promise<void>;
}

export type StartFn = (env?: NodeJS.ProcessEnv) => Promise<RunningService>;

/**
 * Runs a service as the process's main: starts it, stops it gracefully on SIGTERM/SIGINT (exit 0;
 * a second signal exits at once with 130), and exits 2 with a clear message on bad configuration.
 */
export async function startFromMain(start: StartFn, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let running: RunningService;
  try {
    running = await start(env);
  } catch (e) {
    if (e instanceof EnvError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    // the service logs it (JSON, with the signal): no plain-text line in its log stream
    running.close(signal).then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`shutdown failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
