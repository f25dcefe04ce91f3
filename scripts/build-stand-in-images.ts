// Builds the offline stand-in images (see docs/TEST_BED.md): `npm run stand-in-images [-- NAME... --force]`.
import { parseArgs } from 'node:util';
import { RECIPES, STAND_IN_NAMES, buildStandInImages } from '../test/support/stand-in/images.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    force: { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run stand-in-images -- [NAME...] [--force] [--concurrency N] [--list]
Builds missing or outdated stand-in images (all by default). Names: ${STAND_IN_NAMES.join(', ')}`);
  process.exit(0);
}

if (values.list) {
  for (const name of STAND_IN_NAMES)
    console.log(`${name.padEnd(18)} ${RECIPES[name].ref.padEnd(42)} ${RECIPES[name].replaces}`);
  process.exit(0);
}

const started = Date.now();
try {
  const reports = await buildStandInImages(positionals.length > 0 ? positionals : STAND_IN_NAMES, {
    force: values.force,
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
  });
  for (const r of reports) {
    console.log(
      `${r.ref.padEnd(42)} ${r.action === 'built' ? `built in ${r.seconds.toFixed(1)}s` : 'up to date'}`,
    );
  }
  console.log(`stand-in images ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
} catch (err) {
  console.error(`stand-in images failed: ${(err as Error).message}`);
  process.exit(1);
}
