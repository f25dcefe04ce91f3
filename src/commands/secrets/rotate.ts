import { Args } from '../../lib/oclif.js';
import { BaseCommand } from '../../base-command.js';
import { prose } from '../../lib/cli/prose.js';
import { configFlags } from '../../lib/cli/suite-flags.js';
import { UserError } from '../../lib/errors.js';
import type { PasswordChange } from '../../lib/secrets/postgres-password.js';

export interface SecretsRotateResult {
  readonly secret: string;
  readonly file: string;
  /** The services of the deployed selection that use it: `aisuite up` recreates them. */
  readonly services: readonly string[];
  /** postgres-password: changed in the running database, or none exists yet. */
  readonly database?: PasswordChange;
}

export default class SecretsRotate extends BaseCommand<typeof SecretsRotate> {
  static override summary = 'Replace a leaked API key, admin token or database password with a new value';
  static override description =
    prose(`Writes a newly generated value into the secrets file (atomically, mode 0600; the other secrets
are kept) and names the services that use it. The old value keeps working until \`aisuite up\` recreates
those services; clients then need the new one (\`aisuite secrets get NAME\`). The value is never printed.
The Postgres password is first changed in the project's running database (its volume keeps the password
it was initialised with). Grafana's admin password is refused: Grafana keeps the one of its first start,
so change it in Grafana, then put the same value into the file.`);
  static override examples = [
    '<%= config.bin %> secrets rotate gateway-api-key && <%= config.bin %> up',
    '<%= config.bin %> secrets rotate postgres-password --config lab.yaml --json',
  ];
  static override flags = { ...configFlags };
  static override args = {
    name: Args.string({
      required: true,
      description:
        'gateway-api-key, mcp-admin-token or postgres-password (or its variable name, e.g. GATEWAY_API_KEY)',
    }),
  };

  async run(): Promise<SecretsRotateResult> {
    const { resolveSecretsFile } = await import('../../lib/secrets/locate.js');
    const { ROTATABLE_SECRETS, requireSecretName, rotateSecret, SECRET_VARIABLES } =
      await import('../../lib/secrets/store.js');
    const name = requireSecretName(
      this.args.name,
      `Secrets that can be rotated: ${ROTATABLE_SECRETS.join(', ')}.`,
      ROTATABLE_SECRETS,
    );
    const file = await resolveSecretsFile(this.flags);
    if (!ROTATABLE_SECRETS.includes(name)) {
      throw new UserError(
        `${name} cannot be rotated by writing a new value: Grafana keeps the admin password of its first start, and the file would no longer say what it is`,
        {
          hint:
            "Nothing was changed. Change it in Grafana first (the admin's profile, or `grafana cli admin " +
            `reset-admin-password\` in its container), then put the same value into ${SECRET_VARIABLES[name]} in ${file}.`,
          code: 'SECRET_NOT_ROTATABLE',
        },
      );
    }
    const { resolveSuite } = await import('../../lib/suite/resolve.js');
    const { suite } = await resolveSuite(this.flags, { missingModels: 'preflight', deployedDefaults: true });
    const services = suite.services
      .filter((svc) => Object.values(svc.secrets).includes(name))
      .map((svc) => svc.name);
    let database: PasswordChange | undefined;
    if (name === 'postgres-password') {
      const [{ alterPostgresPassword }, { createDocker }] = await Promise.all([
        import('../../lib/secrets/postgres-password.js'),
        import('../../lib/docker/engine.js'),
      ]);
      const docker = createDocker();
      await rotateSecret(file, name, async (from, to) => {
        database = await alterPostgresPassword(docker, suite, from, to);
      });
    } else {
      await rotateSecret(file, name);
    }
    this.log(`Rotated ${name} in ${file}.`);
    if (database === 'altered') {
      this.log(
        `The database of project ${suite.project} has the new password; open connections keep working, new ones need it.`,
      );
    } else if (database === 'not-deployed') {
      this.log(`Project ${suite.project} has no database yet: its first start takes the new password.`);
    }
    this.log(
      services.length > 0
        ? `\`${this.config.bin} up\` recreates the services that use it: ${services.join(', ')}.` +
            (database ? '' : ' Until then the old value works.')
        : `No service of project ${suite.project}'s selection uses it.`,
    );
    this.log(`Clients need the new value: ${this.config.bin} secrets get ${name}`);
    return { secret: name, file, services, ...(database ? { database } : {}) };
  }
}
