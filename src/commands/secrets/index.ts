import { BaseCommand } from '../../base-command.js';
import { prose } from '../../lib/cli/prose.js';
import { configFlags } from '../../lib/cli/suite-flags.js';

export interface SecretsResult {
  readonly file: string;
  readonly exists: boolean;
  readonly mode?: string;
  readonly secrets: readonly { name: string; variable: string; present: boolean }[];
}

export default class Secrets extends BaseCommand<typeof Secrets> {
  static override summary = 'Say where the secrets file is and which secrets it holds (never their values)';
  static override description =
    prose(`Secrets (gateway API key, Grafana admin password, Postgres password, MCP admin token) are generated
on first use (by \`up\` or \`secrets get\`) into a file with mode 0600. They are redacted (***) in every
output; \`aisuite secrets get NAME\` is the only command that prints one.`);
  static override examples = ['<%= config.bin %> secrets', '<%= config.bin %> secrets --json'];
  static override flags = { ...configFlags };

  async run(): Promise<SecretsResult> {
    const { resolveSecretsFile } = await import('../../lib/secrets/locate.js');
    const { inspectSecretsFile, readSecrets, SECRET_NAMES, SECRET_VARIABLES } =
      await import('../../lib/secrets/store.js');
    const file = await resolveSecretsFile(this.flags);
    const state = await inspectSecretsFile(file);
    const values = state.exists ? await readSecrets(file) : {};
    const secrets = SECRET_NAMES.map((name) => ({
      name,
      variable: SECRET_VARIABLES[name],
      present: values[name] !== undefined,
    }));
    const mode = state.mode === undefined ? undefined : `0${state.mode.toString(8)}`;
    this.log(
      `secrets file: ${file}${state.exists ? ` (mode ${mode})` : ' (not created yet: generated on first `up` or `secrets get`)'}`,
    );
    for (const s of secrets) this.log(`  ${s.name.padEnd(24)} ${s.present ? 'set' : 'not set'}`);
    if (state.exists && state.mode !== 0o600) this.warn(`${file} has mode ${mode}; run: chmod 600 ${file}`);
    return { file, exists: state.exists, mode, secrets };
  }
}
