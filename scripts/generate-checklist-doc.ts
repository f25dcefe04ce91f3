/**
 * Generates docs/DEPLOYMENT_CHECKLIST.md from the checklist definitions (src/lib/checklist/definitions.ts).
 * `npx tsx scripts/generate-checklist-doc.ts` rewrites the file; test/lib/checklist/doc.test.ts fails when the
 * committed file differs from a fresh generation.
 */
import fs from 'node:fs';
import * as prettier from 'prettier';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { POST_DEPLOY, PRE_FLIGHT, type CheckTemplate } from '../src/lib/checklist/definitions.js';
import { timingFor } from '../src/lib/checklist/expand.js';
import { DEFAULT_SCRAPE_INTERVAL_SECONDS } from '../src/lib/suite/build.js';
import { catalog } from '../src/lib/suite/catalog.js';

export const DOC_PATH = fileURLToPath(new URL('../docs/DEPLOYMENT_CHECKLIST.md', import.meta.url));

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** What a probe does, in one line, placeholders kept (they are filled from the suite at run time). */
export function describeProbe(probe: CheckTemplate['probe']): string {
  const p = probe as Record<string, unknown> & { kind: string };
  switch (p.kind) {
    case 'http': {
      const method = (p.method as string | undefined) ?? (p.body === undefined ? 'GET' : 'POST');
      const status = (p.expectStatus as number[] | undefined)?.join(' or ') ?? '2xx';
      const json = (p.json as { path: string }[] | undefined)?.map((a) => a.path) ?? [];
      return `${code(`${method} ${String(p.url)}`)} answers ${status}${json.length ? `; checks ${json.map(code).join(', ')}` : ''}`;
    }
    case 'promql': {
      const cond = p.condition as { op: string; value: number } | undefined;
      return `PromQL ${code(String(p.query))} returns a non-empty result${cond ? `, every sample ${cond.op} ${cond.value}` : ''}`;
    }
    case 'logql': {
      const label = p.expectLabel as { name: string } | undefined;
      return `LogQL ${code(String(p.query))} returns log streams${label ? ` for every value of ${code(label.name)}` : ''}`;
    }
    case 'grafana-dashboard':
      return `every PromQL panel query of Grafana dashboard ${code(String(p.uid))} returns data`;
    case 'mcp':
      return `MCP client lists tools at ${code(String(p.url))}${p.expectTools ? ` (${(p.expectTools as string[]).map(code).join(', ')})` : ''}`;
    case 'tcp':
      return `${code(`${String(p.host)}:${String(p.port)}`)} is ${p.expect === 'free' ? 'free to bind' : 'accepting connections'}`;
    case 'disk':
      return `at least ${Number(p.minFreeMiB) / 1024} GiB free under ${code(String(p.path))}`;
    case 'file':
      return `${code(String(p.path))} exists${p.minBytes ? ` (at least ${Number(p.minBytes) / 1_048_576} MiB)` : ''}${p.mode ? ` with mode ${String(p.mode)}` : ''}`;
    case 'docker':
      return p.check === 'engine'
        ? 'the Docker engine answers'
        : `containers labelled ${code(`io.aisuite.project=${String(p.project)}`)} are running and healthy${p.maxRestarts === 0 ? ', none restarted' : ''}`;
    case 'gpu':
      return `${code('nvidia-smi')} lists at least ${Number(p.minCount ?? 1)} GPU`;
    case 'command':
      return `${code((p.command as string[]).join(' '))} exits 0`;
    default:
      return p.kind;
  }
}

function applies(t: CheckTemplate): string {
  const parts: string[] = [];
  if (t.forEach === 'service-with-host-port') parts.push('each service with a host port');
  if (t.forEach === 'service-with-health') parts.push('each service with a health endpoint');
  if (t.forEach === 'model-file') parts.push('each model file');
  if (t.when?.profile) parts.push(`profile ${t.when.profile}`);
  if (t.when?.services) parts.push(`with ${t.when.services.join(', ')}`);
  return parts.join('; ') || 'always';
}

function timing(t: CheckTemplate): string {
  const x = timingFor(t, DEFAULT_SCRAPE_INTERVAL_SECONDS);
  const scrapes = t.retryForScrapes === undefined ? '' : ` (${t.retryForScrapes} scrape intervals)`;
  return `${x.timeoutSeconds}s × ${x.failureThreshold}${x.failureThreshold > 1 ? `, every ${x.periodSeconds}s` : ''}${scrapes}`;
}

const item = (t: CheckTemplate) => (t.forEach === 'model-file' ? '<file>' : '<service>');
const idOf = (t: CheckTemplate) => (t.forEach ? `${t.id}-${item(t)}` : t.id);
const titleOf = (t: CheckTemplate) =>
  t.title.replace(/\$\{each\}/g, `\`${item(t)}\``).replace(/\$\{each\.port\}/g, '`<port>`');

function table(templates: readonly CheckTemplate[]): string[] {
  return [
    '| id | check | severity | applies to | probe | timeout × attempts |',
    '|---|---|---|---|---|---|',
    ...templates.map(
      (t) =>
        `| ${code(idOf(t))} | ${cell(titleOf(t))} | ${t.severity} | ${cell(applies(t))} | ${cell(describeProbe(t.probe))}${t.needs?.length ? ` (after ${t.needs.map(code).join(', ')})` : ''} | ${timing(t)} |`,
    ),
  ];
}

function phases(): string[] {
  const services = catalog({
    phase: 3,
    profile: 'cpu',
    packageImage: 'aisuite/services',
    modelsDir: '/models',
    nGpuLayers: 99,
    chatModelFile: 'chat.gguf',
    codeModelFile: 'code.gguf',
    contextSize: 8192,
    embeddingModel: 'BAAI/bge-small-en-v1.5',
    lokiRetentionHours: 168,
  });
  const of = (group: string) =>
    services
      .filter((s) => s.group === group)
      .map((s) => `${code(s.name)}${s.ports[0]?.host ? ` (${s.ports[0].host})` : ''}`)
      .join(', ');
  return [
    '## Deploy, phase by phase',
    '',
    'Phases are cumulative; each step is `aisuite up` with the phase, then the post-deploy checklist.',
    '',
    `1. **Phase 1, basic AI**: ${of('phase1')}.`,
    '   `aisuite up --phase 1 --gpu --models-dir /srv/models` (or `--cpu`), then `aisuite checklist --post-deploy --phase 1`.',
    `2. **Phase 2, RAG**: adds ${of('phase2')}.`,
    '   `aisuite up --phase 2 ...`, then `aisuite checklist --post-deploy --phase 2`.',
    `3. **Phase 3, MCP**: adds ${of('phase3')}; monitoring is on by default from phase 3: ${of('monitoring')}.`,
    '   `aisuite up --phase 3 ...`, then `aisuite checklist --post-deploy --phase 3 --format markdown --output checklist.md` and attach the report to the release.',
    '',
    'Every successful `up` records a release (rendered files, image digests, checklist result); `aisuite releases` lists them.',
    '',
  ];
}

function troubleshooting(templates: readonly CheckTemplate[]): string[] {
  return templates.flatMap((t) => [
    `### ${code(idOf(t))}: ${titleOf(t)}`,
    '',
    `**Fix:** ${t.remedy}`,
    ...(t.troubleshooting ? ['', t.troubleshooting] : []),
    '',
  ]);
}

/** The whole document, from the definitions, formatted with the project's Prettier settings. */
export async function generateChecklistDoc(): Promise<string> {
  const text = [
    '<!-- Generated by scripts/generate-checklist-doc.ts from src/lib/checklist/definitions.ts. Do not edit. -->',
    '',
    '# Deployment checklist',
    '',
    'Every line of this checklist is an executable probe: `aisuite checklist --pre-flight`,',
    '`aisuite checklist --post-deploy` or `--all` runs it and exits 0 when every critical check passed,',
    '1 when a critical check failed, 2 on bad input, 3 when the deadline passed, 4 for warnings with',
    '`--strict`. A check that cannot run here is reported as skipped with the reason (`profile=cpu`,',
    '`without=grafana`, `phase=1`) or as `blocked by <id>` when a check it needs failed; neither counts',
    'as passed. Placeholders such as `${url:prometheus}` are filled from the suite (bind address and host',
    'ports, or `checklist.urls` in aisuite.yaml); see docs/CHECKLIST.md for the report schema and for',
    'adding your own checks.',
    '',
    '## Pre-flight (before `aisuite up`)',
    '',
    ...table(PRE_FLIGHT),
    '',
    ...phases(),
    '## Post-deploy (after `aisuite up`)',
    '',
    ...table(POST_DEPLOY),
    '',
    '## Rollback',
    '',
    '1. `aisuite releases` lists the recorded releases with their checklist results; pick the last good tag.',
    "2. `aisuite rollback <tag>` restores that release's images and rendered configuration. Data volumes",
    '   (Postgres, MCP database, Prometheus, Loki) are kept: a rollback never restores or deletes data.',
    '3. `aisuite checklist --post-deploy` on the rolled-back suite; attach the report to the incident.',
    '4. If the schema of the data changed between the releases, restore a database backup by hand first.',
    '',
    '## Troubleshooting, check by check',
    '',
    ...troubleshooting([...PRE_FLIGHT, ...POST_DEPLOY]),
  ].join('\n');
  const options = (await prettier.resolveConfig(DOC_PATH)) ?? {};
  return prettier.format(text, { ...options, parser: 'markdown' });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(DOC_PATH, await generateChecklistDoc());
  process.stdout.write(`wrote ${path.relative(process.cwd(), DOC_PATH)}\n`);
}
