import { describe, expect, it } from 'vitest';
import {
  isNoop,
  plan,
  summarizePlan,
  type DesiredService,
  type RunningContainer,
} from '../../../src/lib/docker/plan.js';

const want = (name: string, configHash = `h-${name}`): DesiredService => ({ name, configHash });
const ctr = (
  service: string,
  state: string,
  configHash: string | undefined = `h-${service}`,
  id = `id-${service}`,
  created = 1,
): RunningContainer => ({ id, service, state, configHash, created });

describe('plan', () => {
  it('creates every service on an empty engine, in desired order', () => {
    const entries = plan([want('a'), want('b')], []);
    expect(entries.map((e) => [e.service, e.action, e.reason])).toEqual([
      ['a', 'create', 'no container'],
      ['b', 'create', 'no container'],
    ]);
    expect(entries[0]?.containerIds).toEqual([]);
    expect(entries[0]?.configHash).toBe('h-a');
  });

  it('keeps a running container with the same hash (a no-op)', () => {
    const entries = plan([want('a')], [ctr('a', 'running')]);
    expect(entries).toEqual([
      {
        service: 'a',
        action: 'keep',
        reason: 'running, config unchanged',
        containerIds: ['id-a'],
        configHash: 'h-a',
      },
    ]);
    expect(isNoop(entries)).toBe(true);
  });

  it('recreates only the service whose hash changed', () => {
    const entries = plan([want('a'), want('b', 'new')], [ctr('a', 'running'), ctr('b', 'running', 'old')]);
    expect(entries.map((e) => e.action)).toEqual(['keep', 'recreate']);
    expect(entries[1]).toMatchObject({ reason: 'config changed (old -> new)', previousHash: 'old' });
    expect(isNoop(entries)).toBe(false);
  });

  it('says which parts of the config changed when both sides carry the parts label', () => {
    const running: RunningContainer = {
      ...ctr('b', 'running', 'old'),
      configParts: 'spec=1,image=2,secrets=3',
    };
    const [entry] = plan(
      [{ name: 'b', configHash: 'new', configParts: 'spec=1,image=9,secrets=8' }],
      [running],
    );
    expect(entry).toMatchObject({
      action: 'recreate',
      reason: 'config changed: image, secrets (old -> new)',
    });
  });

  it('recreates a container without a config-hash label', () => {
    const unlabelled: RunningContainer = { id: 'id-a', service: 'a', state: 'running' };
    const [entry] = plan([want('a')], [unlabelled]);
    expect(entry).toMatchObject({ action: 'recreate', reason: 'container has no config-hash label' });
  });

  it.each([
    ['exited', 'start'],
    ['created', 'start'],
    ['running', 'keep'],
    ['restarting', 'keep'],
    ['paused', 'recreate'],
    ['dead', 'recreate'],
    ['removing', 'recreate'],
  ] as const)('a %s container with the same hash -> %s', (state, action) => {
    const [entry] = plan([want('a')], [ctr('a', state)]);
    expect(entry?.action).toBe(action);
    expect(entry?.containerIds).toEqual(['id-a']);
  });

  it('a changed hash wins over the state (a stopped, changed service is recreated, not started)', () => {
    const [entry] = plan([want('a', 'new')], [ctr('a', 'exited', 'old')]);
    expect(entry?.action).toBe('recreate');
  });

  it('recreates a service with duplicate containers, removing all of them', () => {
    const [entry] = plan(
      [want('a')],
      [ctr('a', 'running', 'h-a', 'old', 1), ctr('a', 'running', 'h-x', 'new', 2)],
    );
    expect(entry).toMatchObject({
      action: 'recreate',
      reason: '2 containers for one service',
      containerIds: ['old', 'new'],
      previousHash: 'h-x',
    });
  });

  it('removes containers of services no longer selected, after the desired ones, sorted', () => {
    const entries = plan(
      [want('a')],
      [ctr('z', 'running'), ctr('a', 'running'), ctr('m', 'exited'), ctr('m', 'running', 'h-m', 'm2')],
    );
    expect(entries.map((e) => [e.service, e.action])).toEqual([
      ['a', 'keep'],
      ['m', 'remove'],
      ['z', 'remove'],
    ]);
    expect(entries[1]?.containerIds).toEqual(['id-m', 'm2']);
    expect(entries[1]?.reason).toBe('not in the selected suite');
  });

  it('removes everything when nothing is desired', () => {
    expect(plan([], [ctr('a', 'running')]).map((e) => e.action)).toEqual(['remove']);
    expect(plan([], [])).toEqual([]);
  });

  it('rejects a service desired twice', () => {
    expect(() => plan([want('a'), want('a')], [])).toThrow(/desired twice/);
  });

  it('summarizes counts per action', () => {
    const entries = plan(
      [want('a'), want('b'), want('c', 'x'), want('d')],
      [ctr('b', 'running'), ctr('c', 'running'), ctr('d', 'exited'), ctr('e', 'running')],
    );
    expect(summarizePlan(entries)).toEqual({ create: 1, recreate: 1, start: 1, keep: 1, remove: 1 });
  });
});
