/**
 * Entry point of the services image: `node dist/services/main.js <service>`. Each service module is
 * imported lazily so a container loads only the code (and dependencies) of the service it runs.
 */
import { startFromMain, type StartFn } from './kit/index.js';

type ServiceModule = { start: StartFn };

const services: Record<string, () => Promise<ServiceModule>> = {
  'api-gateway': () => import('./gateway/index.js'),
  'mock-inference': () => import('./mock-inference/index.js'),
  'mcp-server': () => import('./mcp-server/index.js'),
  embedding: () => import('./embedding/index.js'),
  rag: () => import('./rag/index.js'),
};

const aliases: Record<string, string> = {
  gateway: 'api-gateway',
};

async function main(argv: string[]): Promise<void> {
  const asked = argv[0] ?? '';
  const name = aliases[asked] ?? asked;
  const load = services[name];
  if (!load) {
    const valid = [...Object.keys(services), ...Object.keys(aliases).map((a) => `${a} (= ${aliases[a]})`)];
    process.stderr.write(
      `${asked ? `unknown service "${asked}"` : 'no service given'}; usage: main.js <service>\n` +
        `valid services: ${valid.join(', ')}\n`,
    );
    process.exit(2);
  }
  const mod = await load();
  await startFromMain(mod.start);
}

await main(process.argv.slice(2));
