import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** One benchmark figure, reported as a ratio to a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  /** Human-readable target, e.g. "<= 3x". */
  target?: string;
  /** Whether the target was met (undefined when there is no target). */
  met?: boolean;
}

/**
 * The installed command (package.json "bin"), as users run it: bin/aisuite, a shell launcher that
 * starts Node on bin/run.js without parsing NODE_EXTRA_CA_CERTS first (see the launcher).
 */
export const AISUITE_BIN = fileURLToPath(new URL('../bin/aisuite', import.meta.url));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.name,
    `${r.value.toFixed(2)} ${r.unit}`,
    r.baseline ? `${r.baseline.name}: ${r.baseline.value.toFixed(2)} ${r.unit}` : '',
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const header = ['benchmark', 'value', 'baseline', 'ratio', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

/** Run `fn` directly when the module is the entry point (`npx tsx bench/x.ts`). */
export async function runIfMain(url: string, fn: () => Promise<BenchResult[]>): Promise<void> {
  if (process.argv[1] && new URL(url).pathname === (await import('node:fs')).realpathSync(process.argv[1])) {
    printTable(await fn());
  }
}

/**
 * Starts a reference implementation in bench/reference/ (`minimal-proxy.ts`, `minimal-rag.ts`) as its
 * own process, like the service it is compared with; it prints the URL it listens on. They live apart
 * from the bench areas because `npm run bench` imports every bench/*.ts, and a reference listens as
 * soon as it is imported.
 */
export async function startReference(
  script: string,
  args: string[],
): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(`./reference/${script}`, import.meta.url)), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    url: line.toString().trim(),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    },
  };
}
