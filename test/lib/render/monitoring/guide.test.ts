/** docs/MONITORING_GUIDE.md stays in step with the rendered alerts and dashboards. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_GROUPS } from '../../../../src/lib/render/monitoring/alert-rules.js';
import { selectedDashboards } from '../../../../src/lib/render/monitoring/dashboards.js';
import { runbookUrl } from '../../../../src/lib/render/monitoring/runbooks.js';
import { ROOT } from './render-dir.js';
import { SUITES } from './suites.js';

const guide = fs.readFileSync(path.join(ROOT, 'docs/MONITORING_GUIDE.md'), 'utf8');
// GitHub's anchor for a heading: lowercase, spaces to dashes, punctuation dropped.
const anchors = new Set(
  [...guide.matchAll(/^#+ (.+)$/gm)].map((m) =>
    m[1]!
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-'),
  ),
);

describe('docs/MONITORING_GUIDE.md', () => {
  const alerts = RULE_GROUPS.flatMap((g) => g.rules);

  it.each(alerts.map((a) => a.alert))('has the runbook section %s links to', (alert) => {
    const anchor = runbookUrl(alert).split('#')[1]!;
    expect(anchors.has(anchor), `no heading for #${anchor}`).toBe(true);
    expect(guide).toMatch(new RegExp(`^\\| \\[${alert}\\]\\(#${anchor}\\) +\\|`, 'm'));
  });

  it('describes every dashboard', () => {
    for (const dashboard of selectedDashboards(SUITES['phase3-cpu-full']!())) {
      expect(guide, dashboard.uid).toContain(`\`${dashboard.uid}\``);
    }
  });
});
