import path from 'node:path';
import { Flags } from '../lib/oclif.js';
import { BaseCommand } from '../base-command.js';
import { prose } from '../lib/cli/prose.js';
import { suiteFlags } from '../lib/cli/suite-flags.js';
import { ExitCode } from '../lib/exit-codes.js';
import { UserError } from '../lib/errors.js';
import type { VerifyReport } from '../lib/verify/report.js';

export default class Verify extends BaseCommand<typeof Verify> {
  static override summary =
    'Bring up an ephemeral CPU-profile suite, smoke-test it, run the post-deploy checklist, tear it down';
  static override description =
    prose(`For CI. Deploys the CPU profile (mock-inference instead of llama.cpp) under a unique project name
(aisuite-verify-<random>), then runs smoke tests through the real endpoints: chat and code completions and
a streamed completion with the official openai client, failover with the chat backend stopped,
embeddings, a RAG index and query, and the MCP tool list and one call with the MCP SDK client. Then it
runs the post-deploy checklist, writes verify.junit.xml and verify.json to --report-dir (with the logs of
failed services under logs/), and removes everything it created: containers, network, volumes, and the
project's state directory. Teardown also runs on failure, on Ctrl-C and on SIGTERM (a cancelled CI job); --keep leaves the suite up.

It takes the same config and image overrides as \`up\` (--config, --image, --without, --phase), with free
host ports and, unless the config sets prometheus.scrapeIntervalSeconds, a 5 s scrape interval (the
checklist waits for Prometheus's first scrape of every target).
Exit codes: 0 every smoke test and critical check passed; 1 one failed (or the suite did not come up);
2 bad input; 3 a deadline passed; 130 interrupted.`);
  static override examples = [
    '<%= config.bin %> verify --cpu --report-dir reports',
    '<%= config.bin %> verify --cpu --config test/stand-in.aisuite.yaml --report-dir reports',
    '<%= config.bin %> verify --cpu --phase 2 --keep',
  ];
  static override flags = {
    ...suiteFlags,
    'report-dir': Flags.string({
      description: "write verify.junit.xml, verify.json and failed services' logs here",
      env: 'AISUITE_REPORT_DIR',
    }),
    ports: Flags.option({
      options: ['free', 'default'] as const,
      default: 'free' as const,
      description:
        'host ports: free ones picked at random (never collides with a running suite) or the configured ones',
      env: 'AISUITE_VERIFY_PORTS',
    })(),
    keep: Flags.boolean({
      description: 'leave the suite running after the run (debugging)',
      env: 'AISUITE_VERIFY_KEEP',
    }),
    'wait-timeout': Flags.integer({
      description: 'seconds each service may take to become ready',
      min: 1,
      env: 'AISUITE_WAIT_TIMEOUT',
    }),
    deadline: Flags.integer({
      description: 'deadline for the post-deploy checklist in seconds',
      min: 1,
      env: 'AISUITE_CHECKLIST_DEADLINE',
    }),
    'stop-after-up': Flags.string({
      description: 'self-test of the failure path: stop this service right after up (repeatable)',
      multiple: true,
      hidden: true,
    }),
    'build-ca': Flags.string({
      description: 'CA bundle for npm inside the services image build',
      env: 'AISUITE_BUILD_CA',
    }),
  };

  async run(): Promise<VerifyReport> {
    const [{ runVerify }, { chooseRenderer }, { prepareOutputDir }] = await Promise.all([
      import('../lib/verify/run.js'),
      import('../lib/output.js'),
      import('../lib/output-path.js'),
    ]);
    const { flags } = this;
    if (flags.gpu || (flags.profile !== undefined && flags.profile !== 'cpu')) {
      throw new UserError('verify runs the CPU profile only', {
        hint: 'Use --cpu (or leave it out).',
        code: 'USAGE',
      });
    }
    // before anything starts: reports that cannot be written would lose the whole run
    const reportDir = flags['report-dir'] === undefined ? undefined : path.resolve(flags['report-dir']);
    if (reportDir) await prepareOutputDir('--report-dir', reportDir);
    const quiet = flags['log-level'] === 'error' || flags['log-level'] === 'warn';
    const { report, files } = await runVerify({
      flags,
      reportDir,
      keep: flags.keep,
      ports: flags.ports,
      stopAfterUp: flags['stop-after-up'],
      signal: this.signal,
      buildCa: flags['build-ca'],
      waitTimeoutSeconds: flags['wait-timeout'],
      deadlineSeconds: flags.deadline,
      renderer: chooseRenderer({ json: this.jsonEnabled(), quiet, isTTY: process.stderr.isTTY }),
      log: (line) => this.info(line),
    });
    for (const file of files) this.info(`report: ${file}`);
    const failed = [
      ...report.smoke.filter((r) => r.status === 'failed').map((r) => `${r.id}: ${r.message}`),
      ...(report.checklist?.checks ?? [])
        .filter((r) => r.status === 'failed' && r.severity === 'critical')
        .map((r) => `${r.id}: ${r.message}`),
    ];
    if (report.error) {
      this.log(`verify failed before the smoke tests: ${report.error.message}`);
      if (report.error.hint) this.log(`Hint: ${report.error.hint}`);
    }
    for (const line of failed) this.log(`FAILED ${line}`);
    this.log(
      `verify ${report.outcome}: ${report.smoke.filter((r) => r.status === 'passed').length}/${report.smoke.length} smoke tests, ` +
        `${report.checklist ? `${report.checklist.summary.passed}/${report.checklist.summary.total} checks passed, ` : ''}` +
        `${(report.durationMs / 1000).toFixed(1)}s (up ${(report.phases.up / 1000).toFixed(1)}s)`,
    );
    if (report.exitCode !== ExitCode.OK) {
      if (this.jsonEnabled()) this.logJson(report);
      this.fail(report.exitCode);
    }
    return report;
  }
}
