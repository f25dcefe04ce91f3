import net from 'node:net';
import { fail, pass, type Probe, type ProbeContext, type ProbeOutcome, type TcpProbeSpec } from './types.js';

function connect(host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => done(new Error('timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (e) => done(e));
  });
}

function tryBind(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** The service of `project` whose container publishes `port`, if one does (engine errors: none). */
async function projectHolder(project: string, port: number): Promise<string | undefined> {
  try {
    const [{ createDocker }, { LABELS }, { publisherOf }] = await Promise.all([
      import('../docker/engine.js'),
      import('../suite/labels.js'),
      import('../preflight/ports.js'),
    ]);
    const list = await createDocker().listContainers({
      filters: { label: [`${LABELS.project}=${project}`] },
    });
    const holder = publisherOf(list, port);
    return holder ? (holder.Labels?.[LABELS.service] ?? holder.Names?.[0]?.replace(/^\//, '')) : undefined;
  } catch {
    return undefined;
  }
}

/** TCP probe: a port accepts connections, or (pre-flight) it is free to bind. */
export class TcpProbe implements Probe {
  readonly kind = 'tcp';
  constructor(private readonly spec: TcpProbeSpec) {}

  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const { host, port, expect, project } = this.spec;
    const where = `${host}:${port}`;
    if (expect === 'free') {
      const error = await tryBind(host, port);
      if (!error) return pass(`${where} is free`);
      const own = error.code === 'EADDRINUSE' && project ? await projectHolder(project, port) : undefined;
      if (own) return pass(`${where} is held by this suite's ${own} (\`up\` keeps or replaces it)`);
      if (error.code === 'EADDRINUSE') return fail(`${where} is already in use`);
      return fail(`cannot bind ${where}: ${error.code ?? error.message}`);
    }
    try {
      await connect(host, port, ctx.signal);
      return pass(`${where} accepts connections`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return fail(`${where}: ${code ?? (error as Error).message}`);
    }
  }
}
