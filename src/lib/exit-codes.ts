/**
 * Domain exit codes. Every code aisuite can return is listed here with its meaning; a test checks
 * that each one is documented in docs/EXIT_CODES.md and in `aisuite --help` output of the base command.
 */
export const ExitCode = {
  OK: 0,
  /** A critical check failed, a smoke test failed, or a deployed service did not become healthy. */
  CHECK_FAILED: 1,
  /** Bad input: flags, aisuite.yaml, a checklist file, a missing prerequisite the user must fix. */
  USER_ERROR: 2,
  /** A deadline passed (readiness wait, checklist deadline). */
  DEADLINE: 3,
  /** Only warnings failed and --strict was given. */
  WARNINGS_STRICT: 4,
  /** The state directory is locked by another aisuite run. */
  LOCKED: 5,
  /** The Docker engine or another external system failed in a way aisuite could not handle. */
  EXTERNAL: 6,
  /** Internal error: a bug in aisuite. Please report it. */
  BUG: 70,
  /** Interrupted by the user (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];

export const exitCodeDescriptions: Readonly<Record<ExitCodeName, string>> = {
  OK: 'success; every critical check passed',
  CHECK_FAILED: 'a critical check, smoke test or service readiness failed',
  USER_ERROR: 'bad input (flags, config file, checklist file) or a prerequisite the user must fix',
  DEADLINE: 'a deadline passed (readiness wait or checklist deadline)',
  WARNINGS_STRICT: 'only warnings failed, and --strict was given',
  LOCKED: 'another aisuite run holds the state lock',
  EXTERNAL: 'the Docker engine or another external system failed',
  BUG: 'internal error in aisuite (a bug; please report it)',
  INTERRUPTED: 'interrupted (Ctrl-C or SIGTERM)',
};
