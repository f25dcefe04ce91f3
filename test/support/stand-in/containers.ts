import Docker from 'dockerode';

/** Label every container, volume and network a test creates carries (see docker-leftovers.ts). */
export const TEST_LABEL = 'io.aisuite.test';
/** Per-run label, so a test can assert that exactly its own objects are gone. */
export const TEST_RUN_LABEL = 'io.aisuite.test.run';

export type Output = { exitCode: number; stdout: string; stderr: string };

// Without a TTY the engine multiplexes stdout and stderr into frames: 1 byte stream, 3 padding, 4 size.
export function demux(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const frame = buffer.subarray(offset + 8, offset + 8 + size);
    (kind === 2 ? err : out).push(frame);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** stdout and stderr of a container so far, for error messages. */
export async function containerLogs(container: Docker.Container, tail = 50): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, tail })) as unknown as Buffer;
  const { stdout, stderr } = demux(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  return `${stdout}${stderr}`.trim();
}

/** Runs a command in a running container and waits for it. */
export async function execIn(container: Docker.Container, cmd: string[], user?: string): Promise<Output> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: user });
  const stream = await exec.start({ hijack: true, stdin: false });
  const { stdout, stderr } = demux(await collect(stream));
  const { ExitCode } = await exec.inspect();
  return { exitCode: ExitCode ?? -1, stdout, stderr };
}

/** `docker run --rm IMAGE CMD...`: runs to completion and returns its output and exit code. */
export async function runOnce(
  docker: Docker,
  image: string,
  cmd: string[] | undefined,
  opts: { user?: string; env?: string[]; entrypoint?: string[]; labels?: Record<string, string> } = {},
): Promise<Output> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    Entrypoint: opts.entrypoint,
    User: opts.user,
    Env: opts.env,
    Labels: { [TEST_LABEL]: '1', ...opts.labels },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const raw = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    return { exitCode: StatusCode, ...demux(raw) };
  } finally {
    await container.remove({ force: true, v: true });
  }
}

/** The host port the engine picked for a container port published as `127.0.0.1::PORT`. */
export async function hostPort(container: Docker.Container, port: string): Promise<number> {
  const info = await container.inspect();
  const binding = info.NetworkSettings.Ports[port]?.[0]?.HostPort;
  if (!binding) throw new Error(`container ${info.Id.slice(0, 12)} publishes no ${port}`);
  return Number(binding);
}

/**
 * Polls `check` until it returns true; fails at once when the container has exited, and on timeout,
 * with the container's last log lines either way.
 */
export async function waitUntil(
  container: Docker.Container,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    const { State } = await container.inspect();
    if (!State.Running) {
      throw new Error(
        `${what}: container exited with ${State.ExitCode}; last logs:\n${await containerLogs(container)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not ready after ${timeoutMs} ms (${lastError}); last logs:\n${await containerLogs(container)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Polls an HTTP URL until it answers 200. */
export function waitForHttp(container: Docker.Container, url: string, timeoutMs = 60_000): Promise<void> {
  return waitUntil(
    container,
    `GET ${url}`,
    async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200,
    timeoutMs,
  );
}

export type RunningService = { container: Docker.Container; port: number; stop(): Promise<void> };

/** Starts a long-running container with `port` published on 127.0.0.1 at a random host port. */
export async function startService(
  docker: Docker,
  image: string,
  opts: {
    port: number;
    cmd?: string[];
    env?: string[];
    network?: string;
    binds?: string[];
    user?: string;
    labels?: Record<string, string>;
  },
): Promise<RunningService> {
  const key = `${opts.port}/tcp`;
  const container = await docker.createContainer({
    Image: image,
    Cmd: opts.cmd,
    Env: opts.env,
    Labels: { [TEST_LABEL]: '1', ...opts.labels },
    ExposedPorts: { [key]: {} },
    HostConfig: {
      PortBindings: { [key]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      NetworkMode: opts.network,
      Binds: opts.binds,
    },
    User: opts.user,
  });
  const stop = () => container.remove({ force: true, v: true });
  try {
    await container.start();
    return { container, port: await hostPort(container, key), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
