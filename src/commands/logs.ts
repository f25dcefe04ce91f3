import { Args, Flags } from '../lib/oclif.js';
import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { projectFlags } from '../lib/cli/suite-flags.js';
import { compareStrings } from '../lib/compare.js';
import { UserError } from '../lib/errors.js';

export interface LogsResult {
  readonly project: string;
  readonly services: readonly string[];
  readonly lines: readonly { service: string; stream: 'stdout' | 'stderr'; line: string }[];
}

/** `--since` as unix seconds: a duration (90s, 10m, 2h, 1d) back from now, or a date/time. */
export function parseSince(value: string, now = Date.now()): number {
  const duration = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value.trim());
  if (duration) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[duration[2] as 's' | 'm' | 'h' | 'd'];
    return Math.floor(now / 1000 - Number(duration[1]) * unit);
  }
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new UserError(`--since ${JSON.stringify(value)}: expected a duration (10m, 2h) or a date`, {
      hint: 'For example --since 10m or --since 2026-01-31T12:00:00Z',
      code: 'INVALID_SINCE',
    });
  }
  return Math.floor(parsed / 1000);
}

export default class Logs extends BaseCommand<typeof Logs> {
  static override summary = 'Show the logs of the suite or one service';
  static override description =
    prose(`Reads the containers' logs through the engine (stdout and stderr demultiplexed). With
several services each line is prefixed with the service name. --follow streams until Ctrl-C, through a
service's container stopping and starting again and its replacement by \`up\` or \`rollback\`; following the
whole suite, a service that starts later joins in (each said on stderr).`);
  static override examples = [
    '<%= config.bin %> logs api-gateway --tail 100',
    '<%= config.bin %> logs --follow --since 10m',
  ];
  static override args = {
    service: Args.string({ description: 'only this service', required: false }),
  };
  static override flags = {
    ...projectFlags,
    follow: Flags.boolean({ char: 'f', description: 'keep streaming new lines' }),
    since: Flags.string({ description: 'only lines newer than this (10m, 2h, or a date)' }),
    tail: Flags.integer({ description: 'only the last N lines of each service', min: 0 }),
  };

  async run(): Promise<LogsResult> {
    const [
      { loadConfig },
      { createDocker, pingEngine },
      { ContainerClient },
      { readLogLines, followService, followProject },
      { LABELS },
      { SERVICE_NAMES, isServiceName },
    ] = await Promise.all([
      import('../lib/config/load.js'),
      import('../lib/docker/engine.js'),
      import('../lib/docker/containers.js'),
      import('../lib/docker/logs.js'),
      import('../lib/suite/labels.js'),
      import('../lib/suite/catalog.js'),
    ]);
    const service = this.args.service;
    if (service !== undefined && !isServiceName(service)) {
      const { didYouMean } = await import('../lib/closest.js');
      throw new UserError(`unknown service ${JSON.stringify(service)}${didYouMean(service, SERVICE_NAMES)}`, {
        hint: `Services: ${SERVICE_NAMES.join(', ')}`,
        code: 'NO_SUCH_SERVICE',
      });
    }
    const since = this.flags.since ? parseSince(this.flags.since) : undefined;
    const { config } = await loadConfig(this.flags.config);
    const project = this.flags.project ?? config.project ?? 'aisuite';
    const docker = createDocker();
    await pingEngine(docker);
    const containers = new ContainerClient(docker);
    const all = (await containers.listByProject(project)).sort((a, b) =>
      compareStrings(a.Labels?.[LABELS.service] ?? '', b.Labels?.[LABELS.service] ?? ''),
    );
    const selected = service ? all.filter((c) => c.Labels?.[LABELS.service] === service) : all;
    if (selected.length === 0) {
      const known = all.map((c) => c.Labels?.[LABELS.service]).filter(Boolean);
      throw new UserError(
        service
          ? `no container of service ${service} in project ${project}`
          : `no container of project ${project} on this engine`,
        {
          hint:
            known.length > 0
              ? `Services of ${project}: ${known.join(', ')}`
              : 'Start the suite with `aisuite up`.',
          code: 'NO_SUCH_SERVICE',
        },
      );
    }
    const names = selected.map((c) => c.Labels?.[LABELS.service] ?? c.Id.slice(0, 12));
    // following the whole suite, services that start later join in: every name is prefixed, to one width
    const followAll = this.flags.follow && service === undefined;
    const width = Math.max(...(followAll ? SERVICE_NAMES : names).map((n) => n.length));
    const prefix = selected.length > 1 || followAll;
    const lines: { service: string; stream: 'stdout' | 'stderr'; line: string }[] = [];
    const keep = this.jsonEnabled() && !this.flags.follow;
    const print = (service: string, stream: 'stdout' | 'stderr', line: string) => {
      if (keep) lines.push({ service, stream, line });
      else this.log(prefix ? `${service.padEnd(width)} | ${line}` : line);
    };
    const follow = {
      containers,
      project,
      tail: this.flags.tail,
      since,
      signal: this.signal,
      onNotice: (message: string) => this.info(message),
    };
    if (followAll) {
      // each service on its own until Ctrl-C, through restarts and replaced containers, and the
      // services that start later
      await followProject({
        ...follow,
        first: selected.map((c, i) => ({
          service: names[i] as string,
          containerId: c.Id,
          hasRun: c.State !== 'created', // created ahead by an `up` that has not started it yet
        })),
        onLine: (name, line, from) => print(name, from, line),
      });
    } else if (this.flags.follow) {
      // the one service asked for
      const name = names[0] as string;
      await followService({
        ...follow,
        service: name,
        containerId: (selected[0] as (typeof selected)[number]).Id,
        hasRun: selected[0]?.State !== 'created',
        onLine: (line, from) => print(name, from, line),
      });
    } else {
      for (const [i, c] of selected.entries()) {
        const stream = await containers.logStream(c.Id, { follow: false, tail: this.flags.tail, since });
        await readLogLines(stream, (line, from) => print(names[i] as string, from, line), {
          signal: this.signal,
        });
      }
    }
    return { project, services: names, lines };
  }
}
