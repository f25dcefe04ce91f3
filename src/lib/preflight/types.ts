/** One pre-flight finding; `checklist` (later) shows the same records as probes. */
export interface PreflightCheck {
  readonly id: 'engine' | 'ports' | 'disk' | 'models' | 'gpu';
  readonly ok: boolean;
  /** What was found, in one line. */
  readonly message: string;
  /** What to do about a failure. */
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
}
