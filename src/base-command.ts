import type { Interfaces } from '@oclif/core';
import { Command, Errors, Flags } from './lib/oclif.js';
import { AisuiteError, BugError, fsRefusal } from './lib/errors.js';
import { ExitCode, type ExitCodeValue } from './lib/exit-codes.js';
import { useColor } from './lib/output.js';
import { redact, redactValue } from './lib/secrets/redact.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export interface ErrorJson {
  error: {
    code: string;
    message: string;
    hint?: string;
    exitCode: number;
    details?: Record<string, unknown>;
  };
}

/** What an error means for the user: message, hint, exit code. Bugs keep their stack for the log. */
export function describeError(error: unknown): ErrorJson['error'] & { bug: boolean; stack?: string } {
  if (error instanceof AisuiteError) {
    return {
      code: error.code,
      message: error.message,
      hint: error.hint,
      exitCode: error.exitCode,
      details: error.details,
      bug: false,
    };
  }
  const oclif = (error as { oclif?: { exit?: number } } | undefined)?.oclif;
  if (error instanceof Errors.CLIError || oclif?.exit !== undefined) {
    // flag and argument parse errors from oclif: bad input
    const message = (error as Error).message.replace(/\n\s*See more help with --help$/, '');
    return {
      code: 'USAGE',
      message,
      hint: 'See --help for the flags and examples.',
      exitCode: ExitCode.USER_ERROR,
      bug: false,
    };
  }
  const refusal = fsRefusal(error);
  const fsError = error as NodeJS.ErrnoException;
  if (refusal && fsError.path !== undefined) {
    // a location that cannot be written (a state directory on a read-only disk, a file in the way)
    return {
      code: 'FS_REFUSED',
      message: `cannot ${fsError.syscall ?? 'use'} ${fsError.path} (${refusal})`,
      hint: 'Check that path and its permissions. aisuite keeps its state in $AISUITE_STATE_DIR, else $XDG_STATE_HOME/aisuite, else ~/.local/state/aisuite.',
      exitCode: ExitCode.USER_ERROR,
      details: { path: fsError.path, syscall: fsError.syscall, errno: fsError.code },
      bug: false,
    };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    code: error instanceof BugError ? 'BUG' : 'INTERNAL',
    message: err.message,
    hint: 'This is a bug in aisuite. Re-run with AISUITE_DEBUG=1 for the stack trace and report it.',
    exitCode: ExitCode.BUG,
    bug: true,
    stack: err.stack,
  };
}

/**
 * The command every aisuite command extends: `--json` everywhere (the typed result of `run()` is printed,
 * redacted), user errors vs bugs mapped to documented exit codes, colour only on a TTY without NO_COLOR,
 * and an AbortSignal that fires on the first Ctrl-C (or SIGTERM).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    'log-level': Flags.option({
      options: ['error', 'warn', 'info', 'debug'] as const,
      default: 'info' as const,
      env: 'AISUITE_LOG_LEVEL',
      helpGroup: 'GLOBAL',
      description: 'how much to print on stderr',
    })(),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  private readonly abort = new AbortController();
  private readonly interrupts = new Set<NodeJS.Signals>();
  private readonly onSigint = (signal: NodeJS.Signals) => {
    // the same signal twice (Ctrl-C pressed again) ends at once; another kind does not: GitHub Actions
    // cancels with SIGINT, then SIGTERM 7.5 s later, and the clean-up must not be cut short by it
    if (this.interrupts.has(signal)) process.exit(ExitCode.INTERRUPTED);
    this.interrupts.add(signal);
    if (this.interrupts.size > 1) return;
    this.abort.abort(
      new AisuiteError('interrupted', { exitCode: ExitCode.INTERRUPTED, code: 'INTERRUPTED' }),
    );
  };

  /**
   * Ctrl-C (SIGINT) and SIGTERM, which CI systems and `timeout` send to cancel a job, both run the
   * command's own clean-up (verify's teardown, up's created-but-not-started containers); Node's
   * default for SIGTERM would end the process at once and leave an ephemeral suite running.
   */
  private listenForInterrupts(on: boolean): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      if (on) process.on(signal, this.onSigint);
      else process.removeListener(signal, this.onSigint);
    }
  }

  /** Fires on the first Ctrl-C or SIGTERM; the same signal a second time exits at once with code 130. */
  protected get signal(): AbortSignal {
    return this.abort.signal;
  }

  protected get color(): boolean {
    return useColor({ json: this.jsonEnabled(), isTTY: process.stdout.isTTY });
  }

  public override async init(): Promise<void> {
    await super.init();
    this.listenForInterrupts(true);
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
  }

  /** Print a line on stdout (redacted), unless --json. */
  public override log(message = '', ...args: unknown[]): void {
    if (this.jsonEnabled()) return;
    super.log(redact(message), ...args.map((a) => (typeof a === 'string' ? redact(a) : a)));
  }

  /** Progress and warnings go to stderr (redacted), so stdout stays clean for results. */
  protected info(message: string): void {
    if (this.flags?.['log-level'] === 'error' || this.flags?.['log-level'] === 'warn') return;
    process.stderr.write(`${redact(message)}\n`);
  }

  public override warn(input: string | Error): string | Error {
    if (this.flags?.['log-level'] !== 'error') {
      const text = typeof input === 'string' ? input : input.message;
      process.stderr.write(`${this.color ? '\u001b[33mWarning:\u001b[39m' : 'Warning:'} ${redact(text)}\n`);
    }
    return input;
  }

  protected override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(redactValue(json), null, 2)}\n`);
  }

  protected override toErrorJson(error: unknown): ErrorJson {
    const { bug: _bug, stack: _stack, ...rest } = describeError(error);
    return { error: rest };
  }

  /** Exit with a domain code after the result was printed (e.g. checks failed but the report is valid). */
  protected fail(code: ExitCodeValue): never {
    this.listenForInterrupts(false);
    return Errors.exit(code);
  }

  public override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    const described = describeError(error);
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(error));
    } else {
      const red = (s: string) => (this.color ? `\u001b[31m${s}\u001b[39m` : s);
      const lines = [`${red('Error:')} ${described.message}`];
      if (described.hint) lines.push(`Hint: ${described.hint}`);
      if (
        described.bug &&
        (process.env.AISUITE_DEBUG || this.flags?.['log-level'] === 'debug') &&
        described.stack
      ) {
        lines.push(described.stack);
      }
      process.stderr.write(`${redact(lines.join('\n'))}\n`);
    }
    this.listenForInterrupts(false);
    return Errors.exit(described.exitCode);
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.listenForInterrupts(false);
    return super.finally(error);
  }
}
