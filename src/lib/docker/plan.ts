import { changedParts } from './desired.js';

/** What the suite should look like: one entry per selected service. */
export interface DesiredService {
  readonly name: string;
  readonly configHash: string;
  /** Digests of the hash's parts (desired.ts), to say what changed. */
  readonly configParts?: string;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** A container of the project as found by label. */
export interface RunningContainer {
  readonly id: string;
  readonly service: string;
  readonly configHash?: string;
  readonly configParts?: string;
  readonly state: ContainerState | string;
  /** Unix seconds; the newest container of a service is the one kept when there are duplicates. */
  readonly created?: number;
}

export type PlanAction = 'create' | 'recreate' | 'start' | 'keep' | 'remove';

export interface PlanEntry {
  readonly service: string;
  readonly action: PlanAction;
  readonly reason: string;
  /** Containers this entry removes (recreate, remove) or starts/keeps (start, keep). */
  readonly containerIds: readonly string[];
  readonly configHash?: string;
  readonly previousHash?: string;
}

function byNewest(a: RunningContainer, b: RunningContainer): number {
  return (b.created ?? 0) - (a.created ?? 0);
}

/** `: image, secrets` when both sides carry part digests that say what differs. */
function changedWhat(before: string | undefined, after: string | undefined): string {
  const names = changedParts(before, after);
  return names && names.length > 0 ? `: ${names.join(', ')}` : '';
}

function planOne(want: DesiredService, found: readonly RunningContainer[]): PlanEntry {
  const base = { service: want.name, configHash: want.configHash };
  if (found.length === 0) return { ...base, action: 'create', reason: 'no container', containerIds: [] };
  const ids = found.map((c) => c.id);
  const [current] = [...found].sort(byNewest);
  if (found.length > 1) {
    return {
      ...base,
      action: 'recreate',
      reason: `${found.length} containers for one service`,
      containerIds: ids,
      previousHash: current?.configHash,
    };
  }
  const c = current as RunningContainer;
  if (c.configHash !== want.configHash) {
    return {
      ...base,
      action: 'recreate',
      reason:
        c.configHash === undefined
          ? 'container has no config-hash label'
          : `config changed${changedWhat(c.configParts, want.configParts)} (${c.configHash} -> ${want.configHash})`,
      containerIds: ids,
      previousHash: c.configHash,
    };
  }
  switch (c.state) {
    case 'running':
      return { ...base, action: 'keep', reason: 'running, config unchanged', containerIds: ids };
    case 'restarting':
      // Docker is already restarting it; recreating would not change the outcome, the wait reports it.
      return { ...base, action: 'keep', reason: 'restarting, config unchanged', containerIds: ids };
    case 'created':
    case 'exited':
      return { ...base, action: 'start', reason: `${c.state}, config unchanged`, containerIds: ids };
    default:
      return { ...base, action: 'recreate', reason: `container is ${c.state}`, containerIds: ids };
  }
}

/**
 * The plan that turns what runs into what is desired, compared by config hash. Pure: entries in the
 * order of `desired`, then removals of containers whose service is no longer selected (by service name).
 */
export function plan(desired: readonly DesiredService[], running: readonly RunningContainer[]): PlanEntry[] {
  const byService = new Map<string, RunningContainer[]>();
  for (const c of running) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  const seen = new Set<string>();
  const entries: PlanEntry[] = [];
  for (const want of desired) {
    if (seen.has(want.name)) throw new Error(`service ${want.name} is desired twice`);
    seen.add(want.name);
    entries.push(planOne(want, byService.get(want.name) ?? []));
  }
  const extra = [...byService.keys()].filter((service) => !seen.has(service)).sort();
  for (const service of extra) {
    const found = byService.get(service) ?? [];
    entries.push({
      service,
      action: 'remove',
      reason: 'not in the selected suite',
      containerIds: found.map((c) => c.id),
      previousHash: found[0]?.configHash,
    });
  }
  return entries;
}

/** Counts per action, for a one-line summary ("2 create, 1 keep"). */
export function summarizePlan(entries: readonly PlanEntry[]): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = { create: 0, recreate: 0, start: 0, keep: 0, remove: 0 };
  for (const e of entries) counts[e.action] += 1;
  return counts;
}

/** True when applying the plan changes nothing. */
export function isNoop(entries: readonly PlanEntry[]): boolean {
  return entries.every((e) => e.action === 'keep');
}
