import type { ChecklistReport } from '../report.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderPrometheus } from './prometheus.js';
import { renderTty } from './tty.js';

export const FORMATS = ['tty', 'json', 'junit', 'markdown', 'prometheus'] as const;
export type Format = (typeof FORMATS)[number];

/** The report in the chosen format (text; the caller redacts and writes it). */
export function renderReport(
  report: ChecklistReport,
  format: Format,
  opts: { color?: boolean } = {},
): string {
  switch (format) {
    case 'tty':
      return `${renderTty(report, opts.color ?? false)}\n`;
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'junit':
      return renderJunit(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'prometheus':
      return renderPrometheus(report);
  }
}

export { renderJunit, renderMarkdown, renderPrometheus, renderTty };
export { formatResultLine } from './tty.js';
