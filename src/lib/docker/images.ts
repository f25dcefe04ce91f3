import type Docker from 'dockerode';
import { statusOf, traced } from './debug.js';

export interface ProgressEvent {
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly stream?: string;
  readonly error?: string;
  readonly errorDetail?: { message?: string };
  readonly aux?: { ID?: string };
}

/** Images over dockerode: inspect (undefined when missing), pull and build with progress. */
export class ImageClient {
  constructor(private readonly docker: Docker) {}

  /** The image's id, or undefined when the engine does not have it. */
  async idOf(ref: string): Promise<string | undefined> {
    return traced('inspect image', ref, async () => {
      try {
        return (await this.docker.getImage(ref).inspect()).Id;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  async inspect(ref: string): Promise<Docker.ImageInspectInfo | undefined> {
    return traced('inspect image', ref, async () => {
      try {
        return await this.docker.getImage(ref).inspect();
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Pull an image; progress lines go to `onProgress`. A failure event in the stream is thrown. */
  async pull(ref: string, onProgress: (line: string) => void = () => undefined): Promise<void> {
    await traced('pull', ref, async () => {
      const stream = await this.docker.pull(ref);
      await followProgress(this.docker, stream, (event) => {
        const line = [event.id, event.status, event.progress].filter(Boolean).join(' ');
        if (line) onProgress(line);
      });
    });
  }

  /**
   * Build from a tar stream of a context; build output lines go to `onProgress`. The last 30 lines are
   * kept and attached to the error when the build fails.
   */
  async build(
    context: NodeJS.ReadableStream | { context: string; src: string[] },
    options: { tag: string; buildargs?: Record<string, string>; labels?: Record<string, string> },
    onProgress: (line: string) => void = () => undefined,
  ): Promise<void> {
    await traced('build', options.tag, async () => {
      const tail: string[] = [];
      const stream = await this.docker.buildImage(context, {
        t: options.tag,
        buildargs: options.buildargs,
        labels: options.labels,
        rm: true,
        forcerm: true,
      });
      try {
        await followProgress(this.docker, stream, (event) => {
          for (const line of buildOutputLines(event.stream ?? '')) {
            tail.push(line);
            if (tail.length > 30) tail.shift();
            onProgress(line);
          }
        });
      } catch (error) {
        throw Object.assign(error as Error, { buildLog: tail });
      }
    });
  }

  async remove(ref: string): Promise<void> {
    await traced('remove image', ref, async () => {
      try {
        await this.docker.getImage(ref).remove();
      } catch (error) {
        if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
      }
    });
  }
}

/** Follow a JSON progress stream to its end; an `error` event rejects with its message. */
export function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onEvent: (event: ProgressEvent) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        if (error) reject(error);
        else if (failure) reject(failure);
        else resolve();
      },
      (event: ProgressEvent) => {
        if (event.error || event.errorDetail) {
          failure ??= new Error(event.errorDetail?.message ?? event.error ?? 'unknown error');
        }
        onEvent(event);
      },
    );
  });
}

// eslint-disable-next-line no-control-regex -- the escape character is what is matched
const SGR = /\x1b\[[0-9;]*m/g;
/** The classic builder's bookkeeping between steps: layer ids, intermediate containers. */
const BOOKKEEPING = /^\s*(---> |Removing intermediate container |Successfully built )/;

/**
 * The lines of one build output chunk worth showing: colour codes (the engine marks a step's stderr
 * in red) removed, empty lines and the builder's bookkeeping dropped; steps, the commands' own output
 * and `Successfully tagged` kept.
 */
export function buildOutputLines(chunk: string): string[] {
  return chunk
    .replace(SGR, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !BOOKKEEPING.test(l));
}
