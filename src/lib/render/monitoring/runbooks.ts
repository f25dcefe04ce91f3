/**
 * Where alert runbook links point. Each alert has a section in docs/MONITORING_GUIDE.md whose heading is the
 * alert name (a test keeps the two in step). Change the base here if the docs move; a deployment points
 * the links elsewhere (its own wiki, a docs mirror inside an air-gapped network) with `alerting.runbookUrl`.
 */
export const DOCS_BASE_URL = 'https://github.com/aisuite/aisuite/blob/main/docs';

/** The default `alerting.runbookUrl`: the alert's section in the monitoring guide. */
export const DEFAULT_RUNBOOK_URL = `${DOCS_BASE_URL}/MONITORING_GUIDE.md#{alert}`;

/** The runbook URL for an alert: `template` with `{alert}` replaced by the alert's lower-cased name. */
export function runbookUrl(alert: string, template: string = DEFAULT_RUNBOOK_URL): string {
  return template.replaceAll('{alert}', alert.toLowerCase());
}
