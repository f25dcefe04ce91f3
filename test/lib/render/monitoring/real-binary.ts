import { execa, type ResultPromise } from 'execa';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (the OS picks it; the server is closed before the caller binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RunningBinary {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Start a Prometheus-family binary and wait until `readyPath` answers 200 (or the process dies). */
export async function startBinary(
  command: string,
  args: readonly string[],
  port: number,
  readyPath = '/-/ready',
  timeoutMs = 30_000,
): Promise<RunningBinary> {
  const child: ResultPromise = execa(command, [...args], { reject: false, all: true, buffer: true });
  let output = '';
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}${readyPath}`);
      if (res.ok) return { url, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${command} did not become ready at ${url}${readyPath}:\n${output}`);
}
