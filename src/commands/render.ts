import path from 'node:path';
import { Flags } from '../lib/oclif.js';
import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { suiteFlags } from '../lib/cli/suite-flags.js';

export interface RenderResult {
  readonly outDir: string;
  readonly project: string;
  readonly phase: number;
  readonly profile: string;
  readonly services: readonly string[];
  readonly files: readonly { path: string; sha256: string; bytes: number }[];
  /** Files in the output's rendered directories left by an earlier render (kept, not part of this suite). */
  readonly stale: readonly string[];
  readonly warnings: readonly string[];
}

export default class Render extends BaseCommand<typeof Render> {
  static override summary = 'Write the compose file and every monitoring config of the selected suite';
  static override description =
    prose(`Renders the same files that \`aisuite up\` applies, so they can be kept in git or run with
\`docker compose --env-file <secrets file> -f compose.yaml up -d\`. Rendering the same input twice gives
byte-identical output; a file that already holds its content is left untouched ("unchanged", \`changed:
false\` in --json). Nothing is written when the input is invalid. Nothing is removed either: files an
earlier render of another selection left in --out (phase 3's monitoring configs after a phase 2 render) are
listed in a warning and in --json's \`stale\`.`);
  static override examples = [
    '<%= config.bin %> render --phase 1 --cpu --out ./rendered',
    '<%= config.bin %> render --phase 3 --gpu --models-dir /srv/models --out ./rendered',
    '<%= config.bin %> render --phase 3 --cpu --without grafana,loki,alloy,cadvisor --image prometheus=mirror.local/prom/prometheus:v2.53.4 --out ./rendered --json',
  ];
  static override flags = {
    ...suiteFlags,
    out: Flags.string({
      char: 'o',
      description: 'output directory',
      required: true,
      env: 'AISUITE_RENDER_OUT',
    }),
  };

  async run(): Promise<RenderResult> {
    const [{ resolveSuite }, { renderSuite, writeRendered, staleRendered }] = await Promise.all([
      import('../lib/suite/resolve.js'),
      import('../lib/render/index.js'),
    ]);
    const resolved = await resolveSuite(this.flags, { missingModels: 'warn' });
    for (const warning of resolved.warnings) this.warn(warning);
    const files = await renderSuite(resolved.suite);
    const outDir = path.resolve(this.flags.out);
    // the error's wording is loaded only when writing failed: render is a start-up-time command
    const written = await writeRendered(outDir, files).catch(async (error: unknown) => {
      throw (await import('../lib/output-path.js')).outputError('--out', outDir, error);
    });
    for (const file of written)
      this.log(
        `${file.sha256.slice(0, 12)}  ${path.join(this.flags.out, file.path)}${file.changed ? '' : '  (unchanged)'}`,
      );
    const stale = await staleRendered(outDir, files);
    const warnings = [...resolved.warnings];
    if (stale.length > 0) {
      const shown = stale.slice(0, 5).join(', ') + (stale.length > 5 ? `, and ${stale.length - 5} more` : '');
      const message =
        `${stale.length} file(s) in ${this.flags.out} are from an earlier render and not part of this suite: ` +
        `${shown}. Remove them, or render into an empty directory.`;
      warnings.push(message);
      this.warn(message);
    }
    return {
      outDir,
      project: resolved.suite.project,
      phase: resolved.suite.phase,
      profile: resolved.suite.profile,
      services: resolved.suite.services.map((s) => s.name),
      files: written,
      stale,
      warnings,
    };
  }
}
