import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordTestRelease } from '../test/lib/releases/fixtures.js';
import { AISUITE_BIN, median, runIfMain, type BenchResult } from './types.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const RELEASES = 100;

function time(
  file: string,
  args: string[] | ((run: number) => string[]),
  env: NodeJS.ProcessEnv = {},
): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 2; i += 1) {
    const argv = typeof args === 'function' ? args(i) : args;
    const start = process.hrtime.bigint();
    execFileSync(file, argv, { stdio: 'ignore', env: { ...process.env, ...env } });
    if (i >= 2) samples.push(Number(process.hrtime.bigint() - start) / 1e6); // two warm-up runs
  }
  return median(samples);
}

/**
 * CLI start-up (the installed command, bin/aisuite) as a ratio to bare Node, measured in the same run
 * (median of RUNS). Bare Node runs as the launcher runs it, without NODE_EXTRA_CA_CERTS (which Node
 * would parse before running anything).
 */
export async function run(): Promise<BenchResult[]> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'aisuite-bench-'));
  try {
    const bare = time(process.execPath, ['-e', '0'], { NODE_EXTRA_CA_CERTS: undefined });
    const version = time(AISUITE_BIN, ['--version']);
    const state = { AISUITE_STATE_DIR: path.join(tmp, 'state') };
    // the same --out every run: after the first, render finds its files in place and leaves them alone
    const render = time(
      AISUITE_BIN,
      ['render', '--phase', '3', '--cpu', '--out', path.join(tmp, 'out')],
      state,
    );
    const renderNew = time(
      AISUITE_BIN,
      (run) => ['render', '--phase', '3', '--cpu', '--out', path.join(tmp, `out-${run}`)],
      state,
    );
    const baseline = { name: 'node -e 0', value: bare };
    const withCa = process.env.NODE_EXTRA_CA_CERTS ? time(process.execPath, ['-e', '0']) : undefined;
    const references: BenchResult[] = withCa
      ? [
          {
            name: 'reference: node -e 0 with this NODE_EXTRA_CA_CERTS (what bin/aisuite avoids)',
            value: withCa,
            unit: 'ms',
            baseline,
            ratio: withCa / bare,
          },
        ]
      : [];
    return [
      {
        name: 'aisuite --version',
        value: version,
        unit: 'ms',
        baseline,
        ratio: version / bare,
        target: '< 3x',
        met: version / bare < 3,
      },
      {
        name: 'aisuite render --phase 3',
        value: render,
        unit: 'ms',
        baseline,
        ratio: render / bare,
        target: '< 3x',
        met: render / bare < 3,
      },
      {
        name: 'reference: aisuite render --phase 3 into a new directory (every file written)',
        value: renderNew,
        unit: 'ms',
        baseline,
        ratio: renderNew / bare,
      },
      ...references,
      ...(await releasesListing(tmp)),
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `aisuite releases` (the listing one reads to pick a rollback tag) with 100 phase 3 releases recorded,
 * against none: what the summary cache (src/lib/releases/current.ts) keeps flat.
 */
async function releasesListing(tmp: string): Promise<BenchResult[]> {
  const state = (name: string) => ({ AISUITE_STATE_DIR: path.join(tmp, name) });
  for (let i = 0; i < RELEASES; i += 1) {
    await recordTestRelease(state('many').AISUITE_STATE_DIR, {
      project: 'aisuite',
      tag: `r${String(i).padStart(4, '0')}`,
      at: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
      phase: '3',
    });
  }
  const none = time(AISUITE_BIN, ['releases'], state('none'));
  const many = time(AISUITE_BIN, ['releases'], state('many'));
  return [
    {
      name: `reference: aisuite releases with ${RELEASES} phase 3 releases recorded`,
      value: many,
      unit: 'ms',
      baseline: { name: 'aisuite releases, none recorded', value: none },
      ratio: many / none,
    },
  ];
}

await runIfMain(import.meta.url, run);
