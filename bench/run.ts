import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { printTable, type BenchResult } from './types.js';

type Row = BenchResult & { area: string };
const RESULTS = 'bench-results.json';

// Every bench/<area>.ts exports run(): Promise<BenchResult[]>. `npm run bench -- startup gateway` runs some.
const only = process.argv.slice(2);
const known = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'types.ts'].includes(f))
  .map((f) => f.replace(/\.ts$/, ''));
const unknown = only.filter((a) => !known.includes(a));
if (unknown.length > 0) {
  console.error(`unknown bench area(s): ${unknown.join(', ')}; known: ${known.sort().join(', ')}`);
  process.exit(2);
}
const areas = known
  .filter((a) => only.length === 0 || only.includes(a))
  .sort((a, b) => (a === 'startup' ? -1 : b === 'startup' ? 1 : a.localeCompare(b)));

// the rows of the areas not run this time stay as they were (a partial run replaces only its areas)
let kept: Row[] = [];
if (only.length > 0 && existsSync(RESULTS)) {
  try {
    kept = (JSON.parse(readFileSync(RESULTS, 'utf8')) as Row[]).filter((r) => !areas.includes(r.area));
  } catch (error) {
    console.error(
      `${RESULTS} is not readable JSON (${(error as Error).message}): run every area to rewrite it`,
    );
    process.exit(2);
  }
}

const all: Row[] = [];
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
const rows = [...kept, ...all];
writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify(rows, null, 2)}\n`);
renameSync(`${RESULTS}.tmp`, RESULTS);
console.log(
  `\nwrote ${RESULTS} (${all.length} results${kept.length > 0 ? `, ${kept.length} kept from areas not run` : ''})`,
);
if (failed) process.exitCode = 1;
