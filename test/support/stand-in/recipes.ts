import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Image label holding the content hash of the recipe an image was built from. */
export const HASH_LABEL = 'io.aisuite.stand-in.hash';
/** Image label holding the logical stand-in name (e.g. `postgres`). */
export const NAME_LABEL = 'io.aisuite.stand-in';
/** Bump to rebuild every stand-in when the build procedure itself changes. */
export const RECIPE_VERSION = 1;

export const CONTEXTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'contexts');

export type StandInName =
  | 'debian-bookworm'
  | 'debian-trixie'
  | 'node'
  | 'postgres'
  | 'prometheus'
  | 'alertmanager'
  | 'node-exporter'
  | 'postgres-exporter';

type Common = {
  name: StandInName;
  ref: string;
  replaces: string;
  /** Rough cold build time on 2 cores; longer builds get a build slot first. */
  expectedSeconds: number;
};
export type DebootstrapRecipe = Common & { kind: 'debootstrap'; suite: 'bookworm' | 'trixie' };
export type DockerfileRecipe = Common & {
  kind: 'dockerfile';
  base: StandInName;
  /** Folder under contexts/ holding the Dockerfile and the files it copies. */
  context: string;
  /** Copy the host's node binary and npm into the context (node/bin/node, node/lib/node_modules/npm). */
  hostNode?: boolean;
};
export type Recipe = DebootstrapRecipe | DockerfileRecipe;

// Keys match aisuite's service names (`images:` in aisuite.yaml), `node` is `build.nodeImage`.
export const RECIPES: Readonly<Record<StandInName, Recipe>> = {
  'debian-bookworm': {
    name: 'debian-bookworm',
    expectedSeconds: 40,
    ref: 'aisuite-standin/debian:bookworm',
    replaces: 'debian:bookworm',
    kind: 'debootstrap',
    suite: 'bookworm',
  },
  'debian-trixie': {
    name: 'debian-trixie',
    expectedSeconds: 40,
    ref: 'aisuite-standin/debian:trixie',
    replaces: 'debian:trixie',
    kind: 'debootstrap',
    suite: 'trixie',
  },
  node: {
    name: 'node',
    expectedSeconds: 15,
    ref: 'aisuite-standin/node:20-bookworm-slim',
    replaces: 'node:20-bookworm-slim',
    kind: 'dockerfile',
    base: 'debian-bookworm',
    context: 'node',
    hostNode: true,
  },
  postgres: {
    name: 'postgres',
    expectedSeconds: 35,
    ref: 'aisuite-standin/pgvector:pg17',
    replaces: 'pgvector/pgvector:pg17',
    kind: 'dockerfile',
    base: 'debian-trixie',
    context: 'pgvector',
  },
  prometheus: {
    name: 'prometheus',
    expectedSeconds: 18,
    ref: 'aisuite-standin/prometheus:v2.53',
    replaces: 'prom/prometheus',
    kind: 'dockerfile',
    base: 'debian-trixie',
    context: 'prometheus',
  },
  alertmanager: {
    name: 'alertmanager',
    expectedSeconds: 10,
    ref: 'aisuite-standin/alertmanager:v0.28',
    replaces: 'prom/alertmanager',
    kind: 'dockerfile',
    base: 'debian-trixie',
    context: 'alertmanager',
  },
  'node-exporter': {
    name: 'node-exporter',
    expectedSeconds: 10,
    ref: 'aisuite-standin/node-exporter:v1.9',
    replaces: 'prom/node-exporter',
    kind: 'dockerfile',
    base: 'debian-trixie',
    context: 'node-exporter',
  },
  'postgres-exporter': {
    name: 'postgres-exporter',
    expectedSeconds: 9,
    // Trixie's 0.17 rather than bookworm's 0.11: 0.11 predates PostgreSQL 17 (its bgwriter collector
    // fails on every scrape against pg17), 0.17 is what the upstream image ships today.
    ref: 'aisuite-standin/postgres-exporter:v0.17',
    replaces: 'quay.io/prometheuscommunity/postgres-exporter',
    kind: 'dockerfile',
    base: 'debian-trixie',
    context: 'postgres-exporter',
  },
};

export const STAND_IN_NAMES = Object.keys(RECIPES) as StandInName[];

export function isStandInName(name: string): name is StandInName {
  return Object.hasOwn(RECIPES, name);
}

/** The Debian mirror used by debootstrap and, through the rootfs' sources.list, by apt in every build. */
export function debianMirror(): string {
  return process.env.AISUITE_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
}
