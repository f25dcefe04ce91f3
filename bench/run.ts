import { readdirSync, writeFileSync } from 'node:fs';
import { printTable, type BenchResult } from './types.js';

// Every bench/<area>.ts exports run(): Promise<BenchResult[]>. `npm run bench -- startup gateway` runs some.
const only = process.argv.slice(2);
const areas = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'types.ts'].includes(f))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((a) => only.length === 0 || only.includes(a))
  .sort((a, b) => (a === 'startup' ? -1 : b === 'startup' ? 1 : a.localeCompare(b)));

const all: (BenchResult & { area: string })[] = [];
let failed = false;
for (const area of areas) {
  console.log(`\n== ${area}`);
  try {
    const mod = (await import(`./${area}.ts`)) as { run?: () => Promise<BenchResult[]> };
    if (!mod.run) continue;
    const results = await mod.run();
    printTable(results);
    all.push(...results.map((r) => ({ ...r, area })));
  } catch (error) {
    failed = true;
    console.error(`${area}: ${(error as Error).stack ?? String(error)}`);
  }
}
writeFileSync('bench-results.json', `${JSON.stringify(all, null, 2)}\n`);
console.log(`\nwrote bench-results.json (${all.length} results)`);
if (failed) process.exitCode = 1;
