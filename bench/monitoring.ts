/**
 * How long rendering the monitoring configs takes (23 files for a full phase-3 suite: YAML through the
 * `yaml` library, dashboards, River), against rendering the compose file of the same suite in the same run.
 * `aisuite render` and every `up` pay it once; a few tens of milliseconds keep the CLI responsive.
 */
import { renderCompose } from '../src/lib/render/compose.js';
import { renderMonitoring } from '../src/lib/render/monitoring/index.js';
import { buildSuite } from '../src/lib/suite/build.js';
import { suiteOptions } from '../test/support/suite-options.js';
import { median, runIfMain, type BenchResult } from './types.js';

function timeMs(fn: () => unknown, rounds: number): number {
  fn(); // warm up (module-level caches, JIT)
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

export async function run(): Promise<BenchResult[]> {
  const suite = buildSuite(suiteOptions({ phase: 3, profile: 'cpu' }));
  const compose = timeMs(() => renderCompose(suite), 200);
  const monitoring = timeMs(() => renderMonitoring(suite), 200);
  const files = renderMonitoring(suite).length;
  return [
    {
      name: `render monitoring configs (phase 3, ${files} files)`,
      value: monitoring,
      unit: 'ms',
      baseline: { name: 'render compose.yaml', value: compose },
      ratio: monitoring / compose,
      target: '<= 100 ms',
      met: monitoring <= 100,
    },
  ];
}

await runIfMain(import.meta.url, run);
