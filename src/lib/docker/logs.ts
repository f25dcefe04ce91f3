import { StringDecoder } from 'node:string_decoder';
import type { ContainerClient } from './containers.js';

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
