import type Docker from 'dockerode';
import { LABELS } from '../suite/labels.js';
import { statusOf, traced } from './debug.js';

/** Networks over dockerode, found by the project label. */
export class NetworkClient {
  constructor(private readonly docker: Docker) {}

  async listByProject(project: string): Promise<Docker.NetworkInspectInfo[]> {
    return traced('list networks', `project=${project}`, () =>
      this.docker.listNetworks({ filters: { label: [`${LABELS.project}=${project}`] } }),
    );
  }

  /** The project's network with this name, created (bridge, labelled) when missing. Returns its id. */
  async ensure(name: string, project: string): Promise<{ id: string; created: boolean }> {
    const existing = (await this.listByProject(project)).find((n) => n.Name === name);
    if (existing) return { id: existing.Id, created: false };
    return traced('create network', name, async () => {
      try {
        const network = await this.docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: { [LABELS.project]: project },
        });
        return { id: network.id, created: true };
      } catch (error) {
        // created concurrently by another run: use it
        if (statusOf(error) === 409) {
          const again = (await this.listByProject(project)).find((n) => n.Name === name);
          if (again) return { id: again.Id, created: false };
        }
        throw error;
      }
    });
  }

  async remove(id: string): Promise<void> {
    await traced('remove network', id.slice(0, 12), async () => {
      try {
        await this.docker.getNetwork(id).remove();
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    });
  }
}
