/**
 * The monitoring render: a snapshot per suite, byte-identical re-renders, and each file parsed back with
 * assertions on the fields that matter (what is scraped, routed, provisioned, retained and shipped).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UserError } from '../../../../src/lib/errors.js';
import { renderMonitoring } from '../../../../src/lib/render/monitoring/index.js';
import type { RenderedFile } from '../../../../src/lib/render/types.js';
import { generatedMarker } from '../../../../src/lib/render/yaml.js';
import { buildSuite } from '../../../../src/lib/suite/build.js';
import { resolveSuite } from '../../../../src/lib/suite/resolve.js';
import type { SuiteSpec } from '../../../../src/lib/suite/types.js';
import { suiteOptions } from '../../../support/suite-options.js';
import { parseRiver, type Block } from './river-parse.js';
import { SUITES } from './suites.js';

const byPath = (files: RenderedFile[]) => new Map(files.map((f) => [f.path, f.content]));
const yamlOf = <T>(files: RenderedFile[], path: string): T => {
  const content = byPath(files).get(path);
  if (content === undefined) throw new Error(`${path} was not rendered`);
  return parse(content) as T;
};

interface PromConfig {
  global: { scrape_interval: string; external_labels: Record<string, string> };
  rule_files?: string[];
  alerting?: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: {
    job_name: string;
    metrics_path?: string;
    static_configs: { targets: string[] }[];
    metric_relabel_configs?: { source_labels: string[]; regex: string; action: string }[];
  }[];
}

describe.each(Object.keys(SUITES))('suite %s', (name) => {
  const suite = SUITES[name]!();
  const files = renderMonitoring(suite);

  it('matches the snapshot, file by file', async () => {
    // Dashboards are large; one suite's set is enough to review their changes (the rest is parsed back below).
    const snapshotted = name === 'phase3-cpu-full' ? files : files.filter((f) => !f.path.endsWith('.json'));
    for (const file of snapshotted) {
      await expect(file.content).toMatchFileSnapshot(`./__snapshots__/${name}/${file.path}`);
    }
  });

  it('renders byte-identical output for the same input', () => {
    expect(renderMonitoring(SUITES[name]!())).toEqual(files);
  });

  it('marks every file as generated', () => {
    for (const file of files) expect(file.content, file.path).toContain(generatedMarker());
    for (const file of files.filter((f) => f.path.endsWith('.json'))) {
      expect((JSON.parse(file.content) as { description: string }).description).toContain(generatedMarker());
    }
  });

  it('scrapes exactly the selected metrics endpoints inside the suite network, job = service name', () => {
    const config = yamlOf<PromConfig>(files, 'prometheus/prometheus.yml');
    const expected = suite.services.filter((s) => s.metrics).map((s) => s.name);
    expect(config.scrape_configs.map((j) => j.job_name)).toEqual(expected);
    for (const job of config.scrape_configs) {
      const svc = suite.services.find((s) => s.name === job.job_name)!;
      expect(job.static_configs).toEqual([{ targets: [`${svc.name}:${svc.metrics!.port}`] }]);
      expect(job.metrics_path ?? '/metrics').toBe(svc.metrics!.path);
    }
    expect(config.rule_files).toEqual(['rules/*.yml']);
    expect(config.global.external_labels).toEqual({ suite: suite.project });
    const cadvisor = config.scrape_configs.find((j) => j.job_name === 'cadvisor');
    expect(cadvisor?.metric_relabel_configs).toEqual(
      suite.services.some((s) => s.name === 'cadvisor')
        ? [{ source_labels: ['container_label_io_aisuite_project'], regex: 'aisuite', action: 'keep' }]
        : undefined,
    );
  });

  it('points Prometheus at Alertmanager only when it is selected', () => {
    const config = yamlOf<PromConfig>(files, 'prometheus/prometheus.yml');
    const selected = suite.services.some((s) => s.name === 'alertmanager');
    expect(config.alerting).toEqual(
      selected ? { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] } : undefined,
    );
  });

  it('renders rules with severity, service, summary, description and a runbook link', () => {
    const rules = files
      .filter((f) => f.path.startsWith('prometheus/rules/'))
      .flatMap((f) => (parse(f.content) as { groups: { rules: Record<string, unknown>[] }[] }).groups)
      .flatMap((g) => g.rules) as {
      alert: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }[];
    expect(rules.map((r) => r.alert)).toContain('ServiceDown');
    for (const rule of rules) {
      expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
      expect(rule.labels.service, rule.alert).toBeTruthy();
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(rule.annotations.runbook_url).toMatch(
        new RegExp(`MONITORING_GUIDE\\.md#${rule.alert.toLowerCase()}$`),
      );
    }
  });
});

describe('selection', () => {
  const paths = (suiteName: string) => renderMonitoring(SUITES[suiteName]!()).map((f) => f.path);

  it('renders no Loki, Alloy or Grafana files, and no container rules, for components left out', () => {
    const rendered = paths('phase3-without-grafana-loki-alloy-cadvisor');
    expect(rendered.filter((p) => /^(loki|alloy|grafana)\//.test(p))).toEqual([]);
    expect(rendered).not.toContain('prometheus/rules/containers.yml');
    expect(rendered).toContain('prometheus/rules/postgres.yml');
  });

  it('renders rules only for the phase-1 services (no embedding, rag, mcp or postgres rules)', () => {
    expect(paths('phase1-cpu').filter((p) => p.startsWith('prometheus/rules/'))).toEqual([
      'prometheus/rules/targets.yml',
      'prometheus/rules/api-gateway.yml',
      'prometheus/rules/inference.yml',
      'prometheus/rules/containers.yml',
      'prometheus/rules/host.yml',
    ]);
  });

  it('leaves the Loki datasource, logs panels and Alloy out without Loki', () => {
    const files = renderMonitoring(buildSuite(suiteOptions({ phase: 3, without: ['loki', 'alloy'] })));
    const datasources = yamlOf<{ datasources: { uid: string }[] }>(
      files,
      'grafana/provisioning/datasources/datasources.yaml',
    );
    expect(datasources.datasources.map((d) => d.uid)).toEqual(['prometheus', 'alertmanager']);
    const logPanels = files
      .filter((f) => f.path.endsWith('.json'))
      .flatMap((f) => (JSON.parse(f.content) as { panels: { type: string }[] }).panels)
      .filter((p) => p.type === 'logs');
    expect(logPanels).toEqual([]);
    expect(files.some((f) => f.path.startsWith('alloy/'))).toBe(false);
  });

  it('drops the Alertmanager rule and target without Alertmanager', () => {
    const files = renderMonitoring(buildSuite(suiteOptions({ phase: 3, without: ['alertmanager'] })));
    expect(files.some((f) => f.path.startsWith('alertmanager/'))).toBe(false);
    expect(byPath(files).get('prometheus/rules/targets.yml')).not.toContain(
      'AlertmanagerNotificationsFailing',
    );
    expect(yamlOf<PromConfig>(files, 'prometheus/prometheus.yml').alerting).toBeUndefined();
  });
});

describe('alertmanager.yml', () => {
  it('has one receiver per configured webhook, Slack and email receiver, plus "null"', () => {
    const files = renderMonitoring(SUITES['phase3-cpu-full']!());
    const config = yamlOf<{ receivers: Record<string, unknown>[] }>(files, 'alertmanager/alertmanager.yml');
    expect(config.receivers).toMatchObject([
      { name: 'null' },
      { name: 'ops-webhook', webhook_configs: [{ url: 'http://127.0.0.1:9999/hook', send_resolved: true }] },
      {
        name: 'ops-slack',
        slack_configs: [{ api_url: expect.stringContaining('hooks.slack.com'), channel: '#ops' }],
      },
      {
        name: 'ops-email',
        email_configs: [
          { to: 'oncall@example.com', from: 'aisuite@example.com', smarthost: 'smtp.example.com:587' },
        ],
      },
    ]);
  });

  it('routes to the null receiver when none is configured', () => {
    const config = yamlOf<{ route: { receiver: string }; receivers: unknown[] }>(
      renderMonitoring(SUITES['phase1-cpu']!()),
      'alertmanager/alertmanager.yml',
    );
    expect(config.route.receiver).toBe('null');
    expect(config.receivers).toEqual([{ name: 'null' }]);
  });

  it('rejects two receivers with one name, and the reserved name "null"', () => {
    const twice = buildSuite(
      suiteOptions({
        phase: 3,
        alerting: {
          webhook: [{ name: 'ops', url: 'http://127.0.0.1:1/a' }],
          slack: [],
          email: [
            { name: 'ops', to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com:25' },
          ],
        },
      }),
    );
    expect(() => renderMonitoring(twice)).toThrow(UserError);
    expect(() => renderMonitoring(twice)).toThrow(/named "ops"/);
    const reserved = buildSuite(
      suiteOptions({
        phase: 3,
        alerting: { webhook: [{ name: 'null', url: 'http://127.0.0.1:1/a' }], slack: [], email: [] },
      }),
    );
    expect(() => renderMonitoring(reserved)).toThrow(UserError);
  });
});

describe('grafana provisioning', () => {
  const files = renderMonitoring(SUITES['phase3-cpu-full']!());

  it('provisions Prometheus (default), Loki and Alertmanager datasources with stable uids', () => {
    const { datasources } = yamlOf<{
      datasources: { uid: string; type: string; url: string; isDefault: boolean }[];
    }>(files, 'grafana/provisioning/datasources/datasources.yaml');
    expect(datasources.map((d) => [d.uid, d.type, d.url, d.isDefault])).toEqual([
      ['prometheus', 'prometheus', 'http://prometheus:9090', true],
      ['loki', 'loki', 'http://loki:3100', false],
      ['alertmanager', 'alertmanager', 'http://alertmanager:9093', false],
    ]);
  });

  it('loads dashboards from the bound directory', () => {
    const { providers } = yamlOf<{ providers: { type: string; options: { path: string } }[] }>(
      files,
      'grafana/provisioning/dashboards/dashboards.yaml',
    );
    expect(providers).toMatchObject([{ type: 'file', options: { path: '/var/lib/grafana/dashboards' } }]);
  });
});

interface Dashboard {
  uid: string;
  title: string;
  panels: {
    id: number;
    type: string;
    title: string;
    datasource?: { uid: string };
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: { datasource: { uid: string } }[];
  }[];
}

describe('dashboards', () => {
  const dashboards = (suiteName: string) =>
    renderMonitoring(SUITES[suiteName]!())
      .filter((f) => f.path.startsWith('grafana/dashboards/'))
      .map((f) => ({ path: f.path, model: JSON.parse(f.content) as Dashboard }));

  it('renders the overview and one dashboard per selected service', () => {
    expect(dashboards('phase3-cpu-full').map((d) => d.model.title)).toEqual([
      'AI Suite Overview',
      'AI Suite / api-gateway',
      'AI Suite / inference-chat',
      'AI Suite / inference-code',
      'AI Suite / embedding',
      'AI Suite / rag',
      'AI Suite / mcp-server',
      'AI Suite / postgres',
    ]);
    expect(dashboards('phase1-cpu').map((d) => d.path)).toEqual([
      'grafana/dashboards/aisuite-overview.json',
      'grafana/dashboards/aisuite-api-gateway.json',
      'grafana/dashboards/aisuite-inference-chat.json',
      'grafana/dashboards/aisuite-inference-code.json',
    ]);
  });

  it.each(['phase1-cpu', 'phase3-cpu-full', 'phase3-gpu'])(
    '%s: unique panel ids, known datasources, panels inside the grid and not overlapping',
    (suiteName) => {
      for (const { path, model } of dashboards(suiteName)) {
        const ids = model.panels.map((p) => p.id);
        expect(new Set(ids).size, path).toBe(ids.length);
        const cells = new Set<string>();
        for (const panel of model.panels) {
          if (panel.datasource) expect(['prometheus', 'loki']).toContain(panel.datasource.uid);
          for (const t of panel.targets ?? []) expect(t.datasource.uid).toBe(panel.datasource?.uid);
          const { x, y, w, h } = panel.gridPos;
          expect(x + w, `${path} panel ${panel.id}`).toBeLessThanOrEqual(24);
          for (let cx = x; cx < x + w; cx++) {
            for (let cy = y; cy < y + h; cy++) {
              const cell = `${cx},${cy}`;
              expect(cells.has(cell), `${path} panel ${panel.id} overlaps at ${cell}`).toBe(false);
              cells.add(cell);
            }
          }
        }
      }
    },
  );

  it('keeps panel ids stable when services are left out', () => {
    const idsByTitle = (suiteName: string) =>
      new Map(dashboards(suiteName)[0]!.model.panels.map((p) => [p.title, p.id]));
    const full = idsByTitle('phase3-cpu-full');
    const small = idsByTitle('phase1-cpu');
    expect(small.size).toBeLessThan(full.size);
    for (const [title, id] of small) expect(full.get(title), title).toBe(id);
  });

  it('shows the HTTP panels on inference dashboards only for the mock (CPU profile)', () => {
    const titles = (suiteName: string) =>
      dashboards(suiteName)
        .find((d) => d.model.uid === 'aisuite-inference-chat')!
        .model.panels.map((p) => p.title);
    expect(titles('phase3-cpu-full')).toContain('Request rate by route');
    expect(titles('phase3-gpu')).not.toContain('Request rate by route');
    expect(titles('phase3-gpu')).toContain('Tokens per second');
  });
});

describe('alert runbook links (the default: see the rules test above)', () => {
  type Rules = { groups: { rules: { alert: string; annotations: { runbook_url: string } }[] }[] };
  const links = (suite: SuiteSpec) =>
    renderMonitoring(suite)
      .filter((f) => f.path.startsWith('prometheus/rules/'))
      .flatMap((f) => (parse(f.content) as Rules).groups.flatMap((g) => g.rules))
      .map((r) => [r.alert, r.annotations.runbook_url]);

  it('follow alerting.runbookUrl from aisuite.yaml, {alert} being the lower-cased alert name', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-runbooks-'));
    try {
      await writeFile(
        path.join(dir, 'aisuite.yaml'),
        'alerting:\n  runbookUrl: "https://wiki.example.internal/ops/{alert}?from=aisuite#{alert}"\n',
      );
      const { suite } = await resolveSuite(
        { phase: '3', cpu: true },
        { missingModels: 'warn', cwd: dir, env: { ...process.env, AISUITE_STATE_DIR: dir } },
      );
      const all = links(suite);
      expect(all.length).toBeGreaterThan(10);
      for (const [alert, url] of all) {
        const name = alert!.toLowerCase();
        expect(url).toBe(`https://wiki.example.internal/ops/${name}?from=aisuite#${name}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('scrape interval', () => {
  const intervals = (suite: SuiteSpec) => {
    const files = renderMonitoring(suite);
    const prometheus = yamlOf<{ global: Record<string, string> }>(files, 'prometheus/prometheus.yml');
    const grafana = yamlOf<{ datasources: { uid: string; jsonData: { timeInterval?: string } }[] }>(
      files,
      'grafana/provisioning/datasources/datasources.yaml',
    );
    const { scrape_interval, scrape_timeout, evaluation_interval } = prometheus.global;
    const rateUnit = grafana.datasources.find((d) => d.uid === 'prometheus')?.jsonData.timeInterval;
    return { scrape_interval, scrape_timeout, evaluation_interval, rateUnit };
  };

  it('scrapes and evaluates every 15 s by default, a scrape timing out after 10 s', () => {
    expect(intervals(SUITES['phase3-cpu-full']!())).toEqual({
      scrape_interval: '15s',
      scrape_timeout: '10s',
      evaluation_interval: '15s',
      rateUnit: '15s',
    });
  });

  it('follows prometheus.scrapeIntervalSeconds, the timeout never longer than the interval', () => {
    // (promtool check config accepts this suite's file: tools.test.ts)
    expect(intervals(SUITES['phase3-gpu']!())).toEqual({
      scrape_interval: '5s',
      scrape_timeout: '5s',
      evaluation_interval: '5s',
      rateUnit: '5s',
    });
  });
});

describe('loki.yaml', () => {
  it('keeps logs for the configured retention, with the compactor deleting them', () => {
    const config = yamlOf<{
      limits_config: { retention_period: string };
      compactor: { retention_enabled: boolean; delete_request_store: string };
      schema_config: { configs: { store: string; schema: string }[] };
      server: { http_listen_port: number };
    }>(renderMonitoring(SUITES['phase3-gpu']!()), 'loki/loki.yaml');
    expect(config.limits_config.retention_period).toBe('72h');
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(config.schema_config.configs).toMatchObject([{ store: 'tsdb', schema: 'v13' }]);
    expect(config.server.http_listen_port).toBe(3100);
  });
});

describe('config.alloy', () => {
  const content = byPath(renderMonitoring(SUITES['phase3-cpu-full']!())).get('alloy/config.alloy')!;
  const blocks = parseRiver(content);
  const find = (name: string): Block => {
    const block = blocks.find((b) => b.name === name);
    if (!block) throw new Error(`no ${name} block`);
    return block;
  };

  it('starts with the generated marker as a // comment', () => {
    expect(content.split('\n')[0]).toBe(`// ${generatedMarker()}`);
  });

  it('discovers only this suite containers by the project label', () => {
    expect(find('discovery.docker').blocks).toEqual([
      { name: 'filter', attrs: { name: 'label', values: ['io.aisuite.project=aisuite'] }, blocks: [] },
    ]);
  });

  it('labels every stream with service and phase from the container labels', () => {
    const rules = find('discovery.relabel').blocks.map((b) => b.attrs);
    expect(rules).toContainEqual({
      source_labels: ['__meta_docker_container_label_io_aisuite_service'],
      target_label: 'service',
    });
    expect(rules).toContainEqual({
      source_labels: ['__meta_docker_container_label_io_aisuite_phase'],
      target_label: 'phase',
    });
  });

  it('wires discovery -> docker source -> JSON processing -> Loki', () => {
    expect(find('loki.source.docker').attrs).toMatchObject({
      targets: { ref: 'discovery.docker.suite.targets' },
      relabel_rules: { ref: 'discovery.relabel.suite.rules' },
      forward_to: [{ ref: 'loki.process.suite.receiver' }],
    });
    const process = find('loki.process');
    expect(process.attrs.forward_to).toEqual([{ ref: 'loki.write.suite.receiver' }]);
    expect(process.blocks.map((b) => b.name)).toEqual([
      'stage.drop',
      'stage.json',
      'stage.drop',
      'stage.timestamp',
      'stage.labels',
      'stage.structured_metadata',
    ]);
    expect(process.blocks[1]!.attrs.expressions).toMatchObject({ level: '', request_id: '' });
    expect(find('loki.write').blocks[0]!.attrs.url).toBe('http://loki:3100/loki/api/v1/push');
  });

  it('drops probe lines and debug logs', () => {
    const drops = find('loki.process').blocks.filter((b) => b.name === 'stage.drop');
    const probe = new RegExp(drops[0]!.attrs.expression as string);
    expect(probe.test('level=info msg="GET /ready (200)"')).toBe(true);
    expect(probe.test('logger=context method=GET path=/api/health status=200')).toBe(true);
    expect(probe.test('{"method":"POST","url":"/v1/chat/completions"}')).toBe(false);
    expect(drops[1]!.attrs).toMatchObject({ source: 'level', expression: 'trace|debug' });
  });
});
