import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/config/load.js';
import { RECIPES } from '../support/stand-in/images.js';

// The committed config that points aisuite at the stand-ins must stay valid for the config loader and in
// step with the refs the stand-in builder produces.
describe('test/stand-in.aisuite.yaml', () => {
  it('is a valid aisuite config naming exactly the stand-in refs', async () => {
    const { config } = await loadConfig('test/stand-in.aisuite.yaml');
    expect(config.images).toEqual({
      postgres: RECIPES.postgres.ref,
      prometheus: RECIPES.prometheus.ref,
      alertmanager: RECIPES.alertmanager.ref,
      'node-exporter': RECIPES['node-exporter'].ref,
      'postgres-exporter': RECIPES['postgres-exporter'].ref,
    });
    expect(config.build?.nodeImage).toBe(RECIPES.node.ref);
  });

  it('leaves out the components that have no offline build', async () => {
    const { config } = await loadConfig('test/stand-in.aisuite.yaml');
    expect(config.components?.without).toEqual(['grafana', 'loki', 'alloy', 'cadvisor']);
  });
});
