/**
 * Where alert runbook links point. Each alert has a section in docs/MONITORING_GUIDE.md whose heading is the
 * alert name (a test keeps the two in step). Change the base here if the docs move.
 */
export const DOCS_BASE_URL = 'https://github.com/aisuite/aisuite/blob/main/docs';

/** The runbook URL for an alert: its section in the monitoring guide. */
export function runbookUrl(alert: string): string {
  return `${DOCS_BASE_URL}/MONITORING_GUIDE.md#${alert.toLowerCase()}`;
}
