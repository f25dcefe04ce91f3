import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ContainerClient } from '../../../src/lib/docker/containers.js';
import { describeContainer } from '../../../src/lib/docker/status.js';

/** A container as `listContainers` and `inspect` describe it (the engine's own shapes). */
function container(state: { running: boolean; health?: string; exitCode?: number }) {
  const info = {
    Id: 'c0ffee0123456789',
    Names: ['/lab-api-gateway'],
    State: state.running ? 'running' : 'exited',
    Labels: { 'io.aisuite.service': 'api-gateway' },
    Ports: [],
    Image: 'aisuite/services:1',
  } as unknown as Docker.ContainerInfo;
  const inspected = {
    State: {
      Running: state.running,
      StartedAt: '2026-12-06T00:00:00Z',
      ExitCode: state.exitCode ?? 0,
      ...(state.health ? { Health: { Status: state.health } } : {}),
    },
  };
  const client = { inspect: async () => inspected } as unknown as ContainerClient;
  return { info, client };
}

describe('describeContainer', () => {
  it("reports a running container's health check status and uptime", async () => {
    const { info, client } = container({ running: true, health: 'starting' });
    const state = await describeContainer(client, info, Date.parse('2026-12-06T00:01:00Z'));
    expect(state).toMatchObject({
      name: 'api-gateway',
      state: 'running',
      health: 'starting',
      uptimeSeconds: 60,
    });
  });

  it('reports no health for a stopped container (Docker says unhealthy once the check stops)', async () => {
    const { info, client } = container({ running: false, health: 'unhealthy', exitCode: 137 });
    const state = await describeContainer(client, info);
    expect(state).toMatchObject({ state: 'exited', exitCode: 137 });
    expect(state.health).toBeUndefined();
    expect(state.uptimeSeconds).toBeUndefined();
  });
});
