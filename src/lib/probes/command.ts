import { execa } from 'execa';
import {
  fail,
  pass,
  type CommandProbeSpec,
  type Probe,
  type ProbeContext,
  type ProbeOutcome,
} from './types.js';

/** Command probe: a program exits with the expected code (and its output matches). */
export class CommandProbe implements Probe {
  readonly kind = 'command';
  constructor(private readonly spec: CommandProbeSpec) {}

  async run(ctx: ProbeContext): Promise<ProbeOutcome> {
    const [file, ...args] = this.spec.command;
    if (!file) return fail('empty command');
    const shown = this.spec.command.join(' ');
    const result = await execa(file, args, { reject: false, cancelSignal: ctx.signal, stdin: 'ignore' });
    if (result.isCanceled) return fail(`${shown}: timed out`);
    if (result.failed && result.exitCode === undefined) {
      return fail(`${shown}: ${(result as { shortMessage?: string }).shortMessage ?? 'could not run'}`);
    }
    const want = this.spec.expectExitCode ?? 0;
    const observed = { exitCode: result.exitCode };
    if (result.exitCode !== want) {
      const stderr =
        String(result.stderr ?? '')
          .trim()
          .split('\n')
          .slice(-1)[0] ?? '';
      return fail(
        `${shown} exited ${result.exitCode} (expected ${want})${stderr ? `: ${stderr}` : ''}`,
        observed,
      );
    }
    if (
      this.spec.stdoutMatches !== undefined &&
      !new RegExp(this.spec.stdoutMatches, 'm').test(String(result.stdout))
    ) {
      return fail(`${shown}: output does not match /${this.spec.stdoutMatches}/`, observed);
    }
    return pass(`${shown} exited ${want}`, observed);
  }
}
