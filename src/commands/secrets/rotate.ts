import { Args } from '../../lib/oclif.js';
import { BaseCommand } from '../../base-command.js';
import { prose } from '../../lib/cli/prose.js';
import { configFlags } from '../../lib/cli/suite-flags.js';
import { UserError } from '../../lib/errors.js';

export interface SecretsRotateResult {
  readonly secret: string;
  readonly file: string;
  /** The services of the deployed selection that use it: `aisuite up` recreates them. */
  readonly services: readonly string[];
}

export default class SecretsRotate extends BaseCommand<typeof SecretsRotate> {
  static override summary = 'Replace a leaked gateway API key or MCP admin token with a new value';
  static override description =
    prose(`Writes a newly generated value into the secrets file (atomically, mode 0600; the other secrets
are kept) and names the services that use it. The old value keeps working until \`aisuite up\` recreates
those services; clients then need the new one (\`aisuite secrets get NAME\`). The value is never printed.
The Postgres and Grafana admin passwords are refused: a database keeps the password it was initialised
with, so change it in Postgres or Grafana first, then put the same value into the file.`);
  static override examples = [
    '<%= config.bin %> secrets rotate gateway-api-key && <%= config.bin %> up',
    '<%= config.bin %> secrets rotate mcp-admin-token --config lab.yaml --json',
  ];
  static override flags = { ...configFlags };
  static override args = {
    name: Args.string({
      required: true,
      description: 'gateway-api-key or mcp-admin-token (or its variable name, e.g. GATEWAY_API_KEY)',
    }),
  };

  async run(): Promise<SecretsRotateResult> {
    const { resolveSecretsFile } = await import('../../lib/secrets/locate.js');
    const { ROTATABLE_SECRETS, rotateSecret, secretNamed, SECRET_VARIABLES } =
      await import('../../lib/secrets/store.js');
    const name = secretNamed(this.args.name);
    if (!name) {
      throw new UserError(`unknown secret ${JSON.stringify(this.args.name)}`, {
        hint: `Secrets that can be rotated: ${ROTATABLE_SECRETS.join(', ')}.`,
        code: 'UNKNOWN_SECRET',
      });
    }
    const file = await resolveSecretsFile(this.flags);
    if (!ROTATABLE_SECRETS.includes(name)) {
      const where =
        name === 'postgres-password'
          ? "in Postgres first (`ALTER ROLE aisuite PASSWORD '...'` through psql in the postgres container)"
          : "in Grafana first (the admin's profile, or `grafana cli admin reset-admin-password` in its container)";
      throw new UserError(
        `${name} cannot be rotated by writing a new value: the running ${name === 'postgres-password' ? 'database' : 'Grafana'} keeps the one it was initialised with, and the services given the new one would be locked out`,
        {
          hint: `Nothing was changed. Change it ${where}, then put the same value into ${SECRET_VARIABLES[name]} in ${file} and run \`aisuite up\`.`,
          code: 'SECRET_NOT_ROTATABLE',
        },
      );
    }
    const { resolveSuite } = await import('../../lib/suite/resolve.js');
    const { suite } = await resolveSuite(this.flags, { missingModels: 'preflight', deployedDefaults: true });
    const services = suite.services
      .filter((svc) => Object.values(svc.secrets).includes(name))
      .map((svc) => svc.name);
    await rotateSecret(file, name);
    this.log(`Rotated ${name} in ${file}.`);
    this.log(
      services.length > 0
        ? `The old value works until \`${this.config.bin} up\` recreates the services that use it: ${services.join(', ')}.`
        : `No service of project ${suite.project}'s selection uses it.`,
    );
    this.log(`Clients need the new value: ${this.config.bin} secrets get ${name}`);
    return { secret: name, file, services };
  }
}
