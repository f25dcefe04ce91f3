import type Docker from 'dockerode';
import { LABELS } from '../suite/labels.js';
import { statusOf, traced } from './debug.js';

/** Named volumes over dockerode, found by the project label. */
export class VolumeClient {
  constructor(private readonly docker: Docker) {}

  async listByProject(project: string): Promise<Docker.VolumeInspectInfo[]> {
    const result = await traced('list volumes', `project=${project}`, () =>
      this.docker.listVolumes({ filters: { label: [`${LABELS.project}=${project}`] } }),
    );
    return result.Volumes ?? [];
  }

  /** Create the volume when missing (creating an existing volume is a no-op in Docker). */
  async ensure(name: string, project: string): Promise<void> {
    await traced('create volume', name, () =>
      this.docker.createVolume({
        Name: name,
        Labels: { [LABELS.project]: project },
      }),
    );
  }

  async remove(name: string): Promise<void> {
    await traced('remove volume', name, async () => {
      try {
        await this.docker.getVolume(name).remove();
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    });
  }
}
