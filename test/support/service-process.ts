/**
 * Spawns a suite service as a real child process (`node --import tsx src/services/main.ts <svc>`, no
 * build needed), waits for the URL it logs and for /readyz, and stops it. Shared by the service tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'src/services/main.ts');

export interface ServiceProcess {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  /** Every stdout/stderr line so far (JSON log lines and plain messages). */
  lines(): string[];
  /** Parsed JSON log lines. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** SIGTERM, wait for exit (SIGKILL after `timeoutMs`); resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | string>;
  /** SIGKILL now (a crash), wait for exit. */
  kill(): Promise<number | string>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Port to listen on; default a free one. */
  port?: number;
  /** Wait for /readyz 200 (default true); else only for /livez. */
  waitReady?: boolean;
  timeoutMs?: number;
}

const running = new Set<ServiceProcess>();

/** A free TCP port on 127.0.0.1 (to restart a service on the port it had). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Runs `main.ts` with arbitrary args and env until exit; for exit-code and message tests. */
export async function runServiceMain(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];
  const out: Record<string, string> = { HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  for (const k of keep) if (process.env[k] !== undefined) out[k] = process.env[k] as string;
  return out;
}

export async function startServiceProcess(name: string, opts: SpawnOptions = {}): Promise<ServiceProcess> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // A port chosen here (not PORT=0) so the URL is known whatever LOG_LEVEL hides, and so a killed
  // service can be restarted where it was.
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, name], {
    cwd: ROOT,
    env: { ...baseEnv(), ...opts.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const collect = (d: Buffer): void => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const proc: ServiceProcess = {
    name,
    url,
    port,
    child,
    lines: () => [...lines],
    logs: () =>
      lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
    async stop(stopTimeoutMs = 15_000) {
      running.delete(proc);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
        await exited;
        clearTimeout(t);
      }
      return exited;
    },
    async kill() {
      running.delete(proc);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
  running.add(proc);
  try {
    await Promise.race([
      waitFor(`${url}${opts.waitReady === false ? '/livez' : '/readyz'}`, 200, timeoutMs, proc),
      exited.then((code) => {
        throw new Error(`${name} exited (${code}) before it was up:\n${lines.join('\n')}${partial}`);
      }),
    ]);
  } catch (e) {
    await proc.kill();
    throw e;
  }
  return proc;
}

/** Polls `url` until it answers `status`; fails with the service's log lines on timeout. */
export async function waitFor(
  url: string,
  status: number,
  timeoutMs = 20_000,
  proc?: ServiceProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await r.arrayBuffer();
      if (r.status === status) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `${url} did not answer ${status} within ${timeoutMs}ms (last: ${last})\n${proc?.lines().join('\n') ?? ''}`,
  );
}

/** Stops every process started through this module that is still running (use in afterAll). */
export async function stopAllServiceProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}
