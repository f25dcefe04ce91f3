/**
 * Rotating the Postgres password: the database keeps the password its volume was initialised with,
 * so the new one is set in the running database first (ALTER ROLE, through psql in the project's
 * postgres container), and only then written to the secrets file; `aisuite up` then recreates the
 * services that connect with it.
 */
import type Docker from 'dockerode';
import { Demuxer } from '../docker/logs.js';
import { UserError } from '../errors.js';
import { volumeName } from '../render/compose.js';
import { LABELS } from '../suite/labels.js';
import type { SuiteSpec } from '../suite/types.js';

/** Generated secrets are base64url: nothing that could end a SQL string literal. */
const LITERAL_SAFE = /^[A-Za-z0-9_-]+$/;

export type PasswordChange = 'altered' | 'not-deployed';

/**
 * Set the role's password from `from` to `to` in the project's running postgres. `not-deployed` when
 * the project has no database yet (no container, no data volume): its first start takes the file's
 * value. A database that exists but is not running cannot be changed, and says so.
 */
export async function alterPostgresPassword(
  docker: Docker,
  suite: SuiteSpec,
  from: string,
  to: string,
): Promise<PasswordChange> {
  const spec = suite.services.find((s) => s.name === 'postgres');
  const user = spec?.environment.POSTGRES_USER ?? 'postgres';
  const db = spec?.environment.POSTGRES_DB ?? user;
  if (!LITERAL_SAFE.test(to)) throw new Error('refusing a generated password outside [A-Za-z0-9_-]');
  const running = await docker.listContainers({
    filters: { label: [`${LABELS.project}=${suite.project}`, `${LABELS.service}=postgres`] },
  });
  const id = running[0]?.Id;
  if (!id) {
    const volume = volumeName(suite.project, 'postgres-data');
    const exists = await docker
      .getVolume(volume)
      .inspect()
      .then(() => true)
      .catch((e: { statusCode?: number }) => {
        if (e.statusCode === 404) return false;
        throw e;
      });
    if (!exists) return 'not-deployed';
    throw new UserError(
      `the database of project ${suite.project} (volume ${volume}) is not running, so its password cannot be changed`,
      {
        hint: 'Nothing was changed. Start it with `aisuite up`, then rotate again.',
        code: 'POSTGRES_NOT_RUNNING',
      },
    );
  }
  const exec = await docker.getContainer(id).exec({
    // over TCP like the health check, with the current password: the image's local trust is not assumed
    Cmd: ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-U', user, '-d', db],
    Env: [`PGPASSWORD=${from}`],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  // the statement goes in on stdin: an exec's command line is kept by the engine for anyone to inspect
  const stream = (await exec.start({ hijack: true, stdin: true })) as NodeJS.ReadWriteStream;
  const output: Buffer[] = [];
  const demux = new Demuxer();
  const done = new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => output.push(...demux.push(chunk).map((f) => f.data)));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  stream.end(`ALTER ROLE "${user}" PASSWORD '${to}';\n`);
  await done;
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) {
    throw new UserError(
      `changing the password in postgres failed (psql exit ${ExitCode}): ${Buffer.concat(output).toString().trim()}`,
      { hint: 'Nothing was changed in the secrets file.', code: 'POSTGRES_PASSWORD_CHANGE_FAILED' },
    );
  }
  return 'altered';
}
