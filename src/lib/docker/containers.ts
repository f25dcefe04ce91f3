import type Docker from 'dockerode';
import { LABELS } from '../suite/labels.js';
import { statusOf, traced } from './debug.js';

const short = (id: string) => id.slice(0, 12);

/** Containers over dockerode: every call traced, "already stopped" and "already gone" are not errors. */
export class ContainerClient {
  constructor(private readonly docker: Docker) {}

  /** Every container (running or not) carrying the project label. */
  async listByProject(project: string): Promise<Docker.ContainerInfo[]> {
    return traced('list containers', `project=${project}`, () =>
      this.docker.listContainers({ all: true, filters: { label: [`${LABELS.project}=${project}`] } }),
    );
  }

  async inspect(id: string): Promise<Docker.ContainerInspectInfo> {
    return traced('inspect', short(id), () => this.docker.getContainer(id).inspect());
  }

  async create(options: Docker.ContainerCreateOptions): Promise<string> {
    const container = await traced('create', options.name ?? '(unnamed)', () =>
      this.docker.createContainer(options),
    );
    return container.id;
  }

  async start(id: string): Promise<void> {
    await traced('start', short(id), async () => {
      try {
        await this.docker.getContainer(id).start();
      } catch (error) {
        if (statusOf(error) !== 304) throw error; // already started
      }
    });
  }

  /** Stop with a grace period; a stopped or missing container is fine. */
  async stop(id: string, timeoutSeconds = 10): Promise<void> {
    await traced('stop', short(id), async () => {
      try {
        await this.docker.getContainer(id).stop({ t: timeoutSeconds });
      } catch (error) {
        const status = statusOf(error);
        if (status !== 304 && status !== 404) throw error;
      }
    });
  }

  /**
   * Remove (forcefully: a running container is killed); a missing container is fine. Named volumes are
   * kept; anonymous ones (an image's VOLUME that the suite does not mount) go with the container, since
   * nothing could find them again (they carry no labels).
   */
  async remove(id: string): Promise<void> {
    await traced('remove', short(id), async () => {
      try {
        await this.docker.getContainer(id).remove({ force: true, v: true });
      } catch (error) {
        const status = statusOf(error);
        // 409: removal already in progress
        if (status !== 404 && status !== 409) throw error;
      }
    });
  }

  /** Stop gracefully, then remove. */
  async stopAndRemove(id: string, timeoutSeconds = 10): Promise<void> {
    await this.stop(id, timeoutSeconds);
    await this.remove(id);
  }

  /** Raw (multiplexed unless the container has a TTY) log stream. */
  async logStream(
    id: string,
    options: { follow: boolean; tail?: number; since?: number | string; timestamps?: boolean },
  ): Promise<NodeJS.ReadableStream> {
    return traced('logs', short(id), async () => {
      const container = this.docker.getContainer(id);
      const common = {
        stdout: true,
        stderr: true,
        timestamps: options.timestamps ?? false,
        ...(options.tail !== undefined ? { tail: options.tail } : {}),
        ...(options.since !== undefined ? { since: options.since } : {}),
      };
      if (options.follow) return container.logs({ ...common, follow: true });
      const buffer = await container.logs({ ...common, follow: false });
      const { Readable } = await import('node:stream');
      return Readable.from([buffer]);
    });
  }
}
