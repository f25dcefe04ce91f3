import fs from 'node:fs/promises';
import path from 'node:path';
import { Flags } from '../lib/oclif.js';
import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { suiteFlags } from '../lib/cli/suite-flags.js';
import type { ChecklistReport, ReleaseRecording } from '../lib/checklist/report.js';
import type { SuiteOptions } from '../lib/suite/build.js';
import type { SuiteSpec } from '../lib/suite/types.js';
import type { Stage } from '../lib/checklist/types.js';
import { ExitCode } from '../lib/exit-codes.js';
import { UserError } from '../lib/errors.js';

const FORMATS = ['tty', 'json', 'junit', 'markdown', 'prometheus'] as const;

export default class Checklist extends BaseCommand<typeof Checklist> {
  static override summary = 'Run the deployment checklist as executable probes and report by severity';
  static override description =
    prose(`Runs the built-in pre-flight checklist (Docker, secrets file, model files, free host ports, disk,
GPU) and/or the post-deploy checklist (health endpoints, Prometheus targets and rules, Alertmanager,
the overview dashboard, Loki, containers not restarting, gateway, RAG and MCP round trips) against the
suite selected by aisuite.yaml and the flags, plus your own checks from --file. A check that cannot run
here says why (skipped: profile=cpu, without=grafana, blocked by prometheus-ready) and never counts as
passed. Base URLs come from the suite's host ports, or from checklist.urls in aisuite.yaml / --url to
check a suite this host did not start. A full post-deploy run of the deployed suite is recorded on its
current release (\`aisuite releases\` shows it; --no-record to leave the release alone).

Exit codes: 0 every critical check passed; 1 a critical check failed; 2 bad input; 3 the deadline
passed; 4 only warnings failed and --strict was given.`);
  static override examples = [
    '<%= config.bin %> checklist --pre-flight --phase 3 --gpu --models-dir /srv/models',
    '<%= config.bin %> checklist --post-deploy --phase 3 --cpu --format junit --output checklist.xml',
    '<%= config.bin %> checklist --all --file extra-checks.yaml --strict',
    '<%= config.bin %> checklist --post-deploy --only prometheus-targets-up,gateway-chat-roundtrip --url prometheus=http://10.0.0.5:9090',
  ];
  static override flags = {
    ...suiteFlags,
    'pre-flight': Flags.boolean({
      description: 'run the pre-flight checklist',
      exclusive: ['post-deploy', 'all'],
    }),
    'post-deploy': Flags.boolean({
      description: 'run the post-deploy checklist (the default)',
      exclusive: ['pre-flight', 'all'],
    }),
    all: Flags.boolean({ description: 'run both checklists', exclusive: ['pre-flight', 'post-deploy'] }),
    file: Flags.string({
      description: 'YAML file with your own checks (docs/CHECKLIST.md)',
      env: 'AISUITE_CHECKLIST_FILE',
    }),
    only: Flags.string({
      description: 'run only these check ids (and what they need), comma-separated',
      delimiter: ',',
      multiple: true,
    }),
    format: Flags.option({
      options: FORMATS,
      default: 'tty' as const,
      description: 'report format',
      env: 'AISUITE_CHECKLIST_FORMAT',
    })(),
    output: Flags.string({
      description: 'write the report to this file (a tty summary still goes to stderr)',
      env: 'AISUITE_CHECKLIST_OUTPUT',
    }),
    strict: Flags.boolean({
      description: 'exit 4 when only warnings failed',
      env: 'AISUITE_CHECKLIST_STRICT',
    }),
    deadline: Flags.integer({
      description: 'deadline for the whole run in seconds (exit 3 when it passes)',
      min: 1,
      env: 'AISUITE_CHECKLIST_DEADLINE',
    }),
    concurrency: Flags.integer({
      description: 'checks running at once (default 8)',
      min: 1,
      env: 'AISUITE_CHECKLIST_CONCURRENCY',
    }),
    url: Flags.string({ description: 'base URL override SERVICE=URL (repeatable)', multiple: true }),
    record: Flags.boolean({
      description:
        "record a full post-deploy run's result on the deployed release it checked (`aisuite releases`)",
      default: true,
      allowNo: true,
      env: 'AISUITE_CHECKLIST_RECORD',
    }),
  };

  async run(): Promise<ChecklistReport> {
    const [
      { prepareTarget },
      { parseUrlFlags },
      { runChecklist, BUILTIN_TEMPLATES },
      { loadChecksFile },
      reporters,
      { redact },
      { prepareOutputFile, writingTo },
      { describeInherited },
    ] = await Promise.all([
      import('../lib/checklist/prepare.js'),
      import('../lib/checklist/config.js'),
      import('../lib/checklist/index.js'),
      import('../lib/checklist/user-file.js'),
      import('../lib/checklist/reporters/index.js'),
      import('../lib/secrets/redact.js'),
      import('../lib/output-path.js'),
      import('../lib/suite/resolve.js'),
    ]);
    const { flags } = this;
    const stages: Stage[] = flags.all
      ? ['pre-flight', 'post-deploy']
      : flags['pre-flight']
        ? ['pre-flight']
        : ['post-deploy'];
    const { resolved, settings, target } = await prepareTarget(flags, parseUrlFlags(flags.url));
    if (resolved.inherited) this.info(describeInherited(resolved.inherited));
    for (const warning of resolved.warnings) this.warn(warning);
    const file =
      flags.file ?? (settings.file && path.resolve(path.dirname(resolved.configFile ?? '.'), settings.file));
    const userTemplates = file ? await loadChecksFile(file, new Set(BUILTIN_TEMPLATES.map((t) => t.id))) : [];
    if (flags.only?.length === 0)
      throw new UserError('--only needs at least one check id', { code: 'USAGE' });
    // before the probes run: a report that cannot be written would lose the run
    const output = flags.output === undefined ? undefined : path.resolve(flags.output);
    if (output) await prepareOutputFile('--output', output);
    const live = flags.format !== 'tty' || flags.output !== undefined || this.jsonEnabled();
    const run = await runChecklist(target, {
      stages,
      userTemplates,
      only: flags.only,
      strict: flags.strict,
      deadlineSeconds: flags.deadline ?? settings.deadlineSeconds,
      concurrency: flags.concurrency ?? settings.concurrency,
      signal: this.signal,
      onResult: live ? (r) => this.info(`${reporters.formatResultLine(r, false)}`) : undefined,
    });
    const report = await this.recordOnRelease(run, {
      resolved,
      // the post-deploy checklist alone: pre-flight checks (--all) judge the host, not the release
      wanted: flags.record && stages.length === 1 && stages[0] === 'post-deploy' && flags.only === undefined,
      overridden: Object.keys(settings.urls),
    });
    const text = redact(reporters.renderReport(report, flags.format, { color: this.color && !flags.output }));
    if (output) {
      await writingTo('--output', output, () => fs.writeFile(output, text));
      this.info(`report written to ${flags.output}`);
    } else if (!this.jsonEnabled()) {
      process.stdout.write(text);
    }
    const { release } = report;
    if (release?.recorded) this.info(`Recorded on release ${release.tag}.`);
    else if (release?.tag) this.info(`Not recorded on release ${release.tag}: ${release.reason}.`);
    if (report.exitCode !== ExitCode.OK) {
      if (this.jsonEnabled()) this.logJson(report);
      this.fail(report.exitCode);
    }
    return report;
  }

  /**
   * A full post-deploy run of this host's suite goes on its current release (`releases` shows it, and
   * `rollback` passes over a release whose checklist failed); a partial run (--only, --all with the
   * pre-flight checks), one against other URLs (--url, checklist.urls) or one that was interrupted is not
   * a verdict on the release.
   */
  private async recordOnRelease(
    report: ChecklistReport,
    run: {
      resolved: { suite: SuiteSpec; options: SuiteOptions };
      wanted: boolean;
      overridden: readonly string[];
    },
  ): Promise<ChecklistReport> {
    if (!run.wanted || run.overridden.length > 0 || report.outcome === 'interrupted') return report;
    const { recordChecklistRun } = await import('../lib/releases/checklist.js');
    let release: ReleaseRecording;
    try {
      release = await recordChecklistRun(run.resolved, report);
    } catch (error) {
      // the checks ran and their report is worth more than the record: say so, report anyway
      this.warn(`the result was not recorded on the release: ${(error as Error).message}`);
      return report;
    }
    return { ...report, release };
  }
}
