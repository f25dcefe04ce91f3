import { buildSuite } from '../../../../src/lib/suite/build.js';
import type { SuiteSpec } from '../../../../src/lib/suite/types.js';
import { suiteOptions } from '../../../support/suite-options.js';

/** The suites the monitoring render is checked for. */
export const SUITES: Record<string, () => SuiteSpec> = {
  'phase1-cpu': () => buildSuite(suiteOptions({ phase: 1, profile: 'cpu', monitoring: true })),
  'phase3-cpu-full': () =>
    buildSuite(
      suiteOptions({
        phase: 3,
        profile: 'cpu',
        alerting: {
          webhook: [{ name: 'ops-webhook', url: 'http://127.0.0.1:9999/hook' }],
          slack: [
            { name: 'ops-slack', apiUrl: 'https://hooks.slack.com/services/T000/B000/XXXX', channel: '#ops' },
          ],
          email: [
            {
              name: 'ops-email',
              to: 'oncall@example.com',
              from: 'aisuite@example.com',
              smarthost: 'smtp.example.com:587',
            },
          ],
        },
      }),
    ),
  'phase3-gpu': () =>
    buildSuite(suiteOptions({ phase: 3, profile: 'gpu', lokiRetentionHours: 72, scrapeIntervalSeconds: 5 })),
  'phase3-without-grafana-loki-alloy-cadvisor': () =>
    buildSuite(suiteOptions({ phase: 3, profile: 'cpu', without: ['grafana', 'loki', 'alloy', 'cadvisor'] })),
};
