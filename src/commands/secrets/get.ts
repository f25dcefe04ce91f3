import { Args } from '../../lib/oclif.js';
import { BaseCommand } from '../../base-command.js';
import { configFlags } from '../../lib/cli/suite-flags.js';

export default class SecretsGet extends BaseCommand<typeof SecretsGet> {
  static override summary = 'Print one secret value (the only command that prints a secret)';
  static override examples = [
    '<%= config.bin %> secrets get gateway-api-key',
    'curl -H "Authorization: Bearer $(<%= config.bin %> secrets get gateway-api-key)" http://127.0.0.1:8000/v1/models',
  ];
  static override flags = { ...configFlags };
  static override args = {
    name: Args.string({
      required: true,
      description:
        'gateway-api-key, grafana-admin-password, postgres-password or mcp-admin-token (or its variable name in the secrets file, e.g. GATEWAY_API_KEY)',
    }),
  };
  // The value is the output: --json would wrap it in a document that the base command redacts.
  static override enableJsonFlag = false;

  async run(): Promise<void> {
    const { resolveSecretsFile } = await import('../../lib/secrets/locate.js');
    const { ensureSecrets, requireSecretName, SECRET_NAMES, SECRET_VARIABLES } =
      await import('../../lib/secrets/store.js');
    const name = requireSecretName(
      this.args.name,
      `Allowed values: ${SECRET_NAMES.join(', ')} ` +
        `(or as named in the secrets file: ${SECRET_NAMES.map((n) => SECRET_VARIABLES[n]).join(', ')})`,
    );
    const secrets = await ensureSecrets(await resolveSecretsFile(this.flags));
    process.stdout.write(`${secrets[name]}\n`);
  }
}
