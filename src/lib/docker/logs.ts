import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { LABELS } from '../suite/labels.js';
import type { ContainerClient } from './containers.js';
import { statusOf } from './debug.js';

export type StreamName = 'stdout' | 'stderr';

/**
 * Splits Docker's multiplexed log stream (8-byte header: stream type, 3 zero bytes, big-endian length)
 * into frames. Feed it chunks as they come; partial frames wait for the next chunk.
 */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: StreamName; data: Buffer }[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: { stream: StreamName; data: Buffer }[] = [];
    while (this.pending.length >= 8) {
      const type = this.pending[0];
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      frames.push({
        stream: type === 2 ? 'stderr' : 'stdout',
        data: this.pending.subarray(8, 8 + size),
      });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }
}

/** Turns chunks into complete lines per stream (a frame may end mid-line). */
export class LineSplitter {
  private readonly partial: Record<StreamName, string> = { stdout: '', stderr: '' };
  private readonly decoders: Record<StreamName, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  push(stream: StreamName, data: Buffer): string[] {
    const text = this.partial[stream] + this.decoders[stream].write(data);
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    return lines.map((l) => l.replace(/\r$/, ''));
  }

  flush(): { stream: StreamName; line: string }[] {
    const out: { stream: StreamName; line: string }[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      if (rest !== '') out.push({ stream, line: rest });
      this.partial[stream] = '';
    }
    return out;
  }
}

/** Read a (finite or followed) log stream and call `onLine` for each complete line. */
export async function readLogLines(
  stream: NodeJS.ReadableStream,
  onLine: (line: string, from: StreamName) => void,
  options: { tty?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const demuxer = new Demuxer();
  const splitter = new LineSplitter();
  const onAbort = () => (stream as unknown as { destroy?: () => void }).destroy?.();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const frames = options.tty ? [{ stream: 'stdout' as const, data: buffer }] : demuxer.push(buffer);
      for (const frame of frames)
        for (const line of splitter.push(frame.stream, frame.data)) onLine(line, frame.stream);
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  for (const { stream: from, line } of splitter.flush()) onLine(line, from);
}

/** The last `count` log lines of a container (stdout and stderr interleaved as Docker returns them). */
export async function lastLogLines(containers: ContainerClient, id: string, count = 50): Promise<string[]> {
  try {
    const stream = await containers.logStream(id, { follow: false, tail: count });
    const lines: string[] = [];
    await readLogLines(stream, (line) => lines.push(line));
    return lines.slice(-count);
  } catch (error) {
    return [`(logs unavailable: ${(error as Error).message})`];
  }
}

/** A line Docker prefixed with its RFC 3339 time (logs with timestamps): the time and the line. */
export function splitTimestamp(line: string): { at?: string; text: string } {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/s.exec(line);
  return match ? { at: match[1], text: match[2] as string } : { text: line };
}

/** Docker's `since` (seconds.nanoseconds) for what comes after the line logged at `at` (RFC 3339). */
export function sinceAfter(at: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(at);
  if (!match) throw new Error(`not an RFC 3339 UTC time: ${at}`);
  const seconds = Math.floor(Date.parse(`${match[1]}Z`) / 1000);
  const nanos = Number((match[2] ?? '').padEnd(9, '0').slice(0, 9)) + 1;
  return nanos >= 1e9 ? `${seconds + 1}.000000000` : `${seconds}.${String(nanos).padStart(9, '0')}`;
}

export interface FollowOptions {
  readonly containers: ContainerClient;
  readonly project: string;
  readonly service: string;
  /** The service's container when following starts. */
  readonly containerId: string;
  /** Whether it had run when following started (false: created, not started yet; default true). */
  readonly hasRun?: boolean;
  readonly tail?: number;
  /** Unix seconds: only lines newer than this (the first container only). */
  readonly since?: number;
  readonly signal: AbortSignal;
  readonly onLine: (line: string, from: StreamName) => void;
  /** Said once per change: the container stopped, started again, or was replaced. */
  readonly onNotice: (message: string) => void;
  readonly pollMs?: number;
}

/**
 * Follow one service's logs until `signal` aborts (Ctrl-C), across its container stopping and starting
 * again (a crash and Docker's restart policy: the rest of its lines, none twice) and across its
 * replacement by a new container (\`up\` recreating it, \`rollback\`: the new container's lines from its
 * start). \`docker logs -f\` ends when its container stops, which leaves an operator who follows a
 * service through a deploy or an incident looking at a stream that silently went quiet.
 */
export async function followService(o: FollowOptions): Promise<void> {
  let id = o.containerId;
  let window: { tail?: number; since?: number | string } = { tail: o.tail, since: o.since };
  let hasRun = o.hasRun ?? true;
  for (;;) {
    let last: string | undefined;
    const stream = await o.containers
      .logStream(id, { follow: true, timestamps: true, ...window })
      .catch((error: unknown) => {
        // removed between being found running and being read (up replacing it again): look again
        if (statusOf(error) === 404) return undefined;
        throw error;
      });
    if (stream) {
      await readLogLines(
        stream,
        (line, from) => {
          const { at, text } = splitTimestamp(line);
          if (at) last = at;
          o.onLine(text, from);
        },
        { signal: o.signal },
      );
    }
    if (o.signal.aborted) return;
    const next = await nextRunning(o);
    if (next === undefined) return;
    if (next === id) {
      o.onNotice(`${o.service}: ${hasRun || last ? 'running again' : 'started'}; following it`);
      hasRun = true;
      window = last ? { since: sinceAfter(last) } : {};
    } else {
      o.onNotice(`${o.service}: following its new container ${next.slice(0, 12)}`);
      window = {};
    }
    id = next;
  }
}

export interface FollowProjectOptions extends Omit<FollowOptions, 'service' | 'containerId' | 'onLine'> {
  /** The project's containers when following starts. */
  readonly first: readonly {
    readonly service: string;
    readonly containerId: string;
    readonly hasRun: boolean;
  }[];
  readonly onLine: (service: string, line: string, from: StreamName) => void;
}

/**
 * Follow every service of a project until `signal` aborts: those with a container now (each as
 * `followService` does) and each service whose first container starts later (\`up\` adding phase 3's
 * services while someone follows the suite's logs), from that container's start.
 */
export async function followProject(o: FollowProjectOptions): Promise<void> {
  const followed = new Map<string, Promise<void>>();
  const follow = (
    service: string,
    containerId: string,
    start: { tail?: number; since?: number; hasRun: boolean },
  ) =>
    followed.set(
      service,
      followService({
        ...o,
        ...start,
        service,
        containerId,
        onLine: (line, from) => o.onLine(service, line, from),
      }),
    );
  for (const f of o.first)
    follow(f.service, f.containerId, { tail: o.tail, since: o.since, hasRun: f.hasRun });
  while (await pause(o)) {
    for (const c of await o.containers.listByProject(o.project)) {
      const service = c.Labels?.[LABELS.service];
      if (!service || followed.has(service) || c.State !== 'running') continue;
      o.onNotice(`${service}: started; following it`);
      follow(service, c.Id, { tail: undefined, since: undefined, hasRun: true }); // all of it: it is new
    }
  }
  await Promise.all(followed.values());
}

/** The id of the service's running container, polled until there is one; undefined once aborted. */
async function nextRunning(o: FollowOptions): Promise<string | undefined> {
  let told = false;
  while (await pause(o)) {
    const list = await o.containers.listByProject(o.project);
    const running = list.find((c) => c.Labels?.[LABELS.service] === o.service && c.State === 'running');
    if (running) return running.Id;
    if (!told) o.onNotice(`${o.service}: not running; waiting for it to start (Ctrl-C to stop)`);
    told = true;
  }
  return undefined; // aborted
}

/** One poll interval; false once `signal` has aborted (Ctrl-C). */
function pause(o: Pick<FollowOptions, 'pollMs' | 'signal'>): Promise<boolean> {
  return sleep(o.pollMs ?? 500, undefined, { signal: o.signal }).then(
    () => true,
    () => false,
  );
}
