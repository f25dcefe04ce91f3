import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DownResult } from '../../src/commands/down.js';
import type { UpResult } from '../../src/commands/up.js';
import { assertNoLeftovers, listProjectObjects } from '../support/docker-leftovers.js';
import { json, TestSuite } from './support/suite.js';

const suite = new TestSuite(inject('e2e'));

// a scrape every 5 s (not the default 15 s): the waits for first scrapes below are shorter
const SCRAPE_INTERVAL_SECONDS = 5;

beforeAll(async () => {
  await suite.init({ prometheus: { scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS } });
});

afterAll(async () => {
  await suite.cleanup();
  await assertNoLeftovers(suite.project);
});

// no Grafana, Loki, Alloy or cAdvisor (no offline build exists); the stand-in images only
const UP_STAND_INS = ['--without', 'grafana,loki,alloy,cadvisor', '--pull', 'never', '--json'];

type Targets = { data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] } };

describe('phase 3, CPU profile, with the monitoring subset that has offline stand-ins', () => {
  it('comes up, and Prometheus reports every scraped target up', async () => {
    const result = await suite.run(['up', '--phase', '3', '--cpu', ...UP_STAND_INS]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const up = json<UpResult>(result);
    expect(up.services.map((s) => s.name).sort()).toEqual(
      [
        'alertmanager',
        'api-gateway',
        'embedding',
        'inference-chat',
        'inference-code',
        'mcp-server',
        'node-exporter',
        'postgres',
        'postgres-exporter',
        'prometheus',
        'rag',
      ].sort(),
    );
    for (const svc of up.services) expect([svc.name, svc.state]).toEqual([svc.name, 'running']);

    // Then every target Prometheus scrapes is up (wait for the first scrapes; the targets arrive one
    // scrape pool after another, so a short list that is all up is not the answer yet)
    const url = `http://127.0.0.1:${suite.ports.prometheus}/api/v1/targets?state=active`;
    const minTargets = 8;
    let targets: Targets['data']['activeTargets'] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      targets = ((await (await fetch(url)).json()) as Targets).data.activeTargets;
      if (targets.length >= minTargets && targets.every((t) => t.health === 'up')) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(targets.length).toBeGreaterThanOrEqual(minTargets);
    expect(
      targets.filter((t) => t.health !== 'up').map((t) => `${t.labels.job}: ${t.health} ${t.lastError}`),
    ).toEqual([]);
    // at the interval aisuite.yaml asked for (Prometheus refuses a scrape timeout above it)
    const status = (await (
      await fetch(`http://127.0.0.1:${suite.ports.prometheus}/api/v1/status/config`)
    ).json()) as { data: { yaml: string } };
    expect(status.data.yaml).toMatch(new RegExp(`^  scrape_interval: ${SCRAPE_INTERVAL_SECONDS}s$`, 'm'));
  });

  it("a quiet suite's first streamed request shows in Prometheus's rates (its series start at zero)", async () => {
    // Given a gateway Prometheus has scraped before any request (the test above waited for that)
    const key = String((await suite.run(['secrets', 'get', 'gateway-api-key'])).stdout).trim();
    // When one streamed chat request goes through it
    const res = await fetch(`http://127.0.0.1:${suite.ports['api-gateway']}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    // Then a following scrape shows its time to first token as an increase (a series whose first
    // sample is already 1 has no increase for Prometheus)
    const query = 'sum(increase(gateway_time_to_first_token_seconds_count{model_group="chat"}[5m]))';
    const url = `http://127.0.0.1:${suite.ports.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`;
    let increase = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const body = (await (await fetch(url)).json()) as { data: { result: { value: [number, string] }[] } };
      increase = Number(body.data.result[0]?.value[1] ?? 0);
      if (increase > 0) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(increase).toBeGreaterThan(0);
  });

  it('a re-run without --phase or --cpu keeps the deployed phase 3 (it does not fall back to phase 1)', async () => {
    const result = await suite.run(['up', ...UP_STAND_INS]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const up = json<UpResult>(result);
    expect(up.selection).toEqual({ phase: 3, profile: 'cpu', inheritedFrom: expect.any(String) });
    expect(up.plan.filter((e) => e.action !== 'keep')).toEqual([]);
    expect(up.plan).toHaveLength(11);
    expect(String(result.stderr)).toContain('Using phase 3 and the CPU profile of the deployed release');
  });

  it('down keeps the volumes; down --volumes --yes removes them', async () => {
    const down = json<DownResult>(await suite.run(['down', '--json']));
    expect(down.containers).toHaveLength(11);
    expect([...down.keptVolumes].sort()).toEqual(
      ['alertmanager-data', 'mcp-data', 'postgres-data', 'prometheus-data']
        .map((v) => `${suite.project}_${v}`)
        .sort(),
    );
    const left = await listProjectObjects(suite.project);
    expect(left.containers).toEqual([]);
    expect(left.networks).toEqual([]);
    expect(left.volumes).toHaveLength(4);

    const refused = await suite.run(['down', '--volumes']);
    expect(refused.exitCode).toBe(2);
    expect(String(refused.stderr)).toMatch(/needs confirmation/);

    const removed = json<DownResult>(await suite.run(['down', '--volumes', '--yes', '--json']));
    expect(removed.volumes).toHaveLength(4);
    expect(await listProjectObjects(suite.project)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
