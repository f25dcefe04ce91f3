import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmpty, listByLabel, removeByLabel } from '../support/docker-leftovers.js';
import { startPostgres } from '../support/postgres.js';
import {
  TEST_LABEL,
  TEST_RUN_LABEL,
  containerLogs,
  execIn,
  startService,
  waitForHttp,
  waitUntil,
  type RunningService,
} from '../support/stand-in/containers.js';
import { ensureStandInImages } from '../support/stand-in/images.js';
import { BUILD_TIMEOUT_MS } from '../support/stand-in/timeouts.js';

// Contracts of the Prometheus-family stand-ins: the upstream images' default command lines, users,
// ports and the busybox `wget` their healthchecks use.
const docker = new Docker();
const run = randomUUID();
const labels = { [TEST_RUN_LABEL]: run };
let images: Record<string, string>;

beforeAll(async () => {
  images = await ensureStandInImages([
    'prometheus',
    'alertmanager',
    'node-exporter',
    'postgres-exporter',
    'postgres',
  ]);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await removeByLabel(TEST_RUN_LABEL, run, docker);
});

async function uidOfPid1(service: RunningService): Promise<string | undefined> {
  const status = await execIn(service.container, ['cat', '/proc/1/status']);
  return /^Uid:\s+(\d+)/m.exec(status.stdout)?.[1];
}

async function withService(image: string, port: number, fn: (svc: RunningService) => Promise<void>) {
  const svc = await startService(docker, image, { port, labels });
  try {
    await fn(svc);
  } finally {
    await svc.stop();
  }
}

describe('prometheus stand-in', { timeout: 180_000 }, () => {
  it('starts with the default command, answers /-/ready as uid 65534, and has promtool and wget', async () => {
    await withService(images.prometheus!, 9090, async (svc) => {
      await waitForHttp(svc.container, `http://127.0.0.1:${svc.port}/-/ready`);
      expect(await uidOfPid1(svc)).toBe('65534');
      // The healthcheck aisuite renders, run inside the container.
      const health = await execIn(svc.container, ['wget', '-q', '--spider', 'http://127.0.0.1:9090/-/ready']);
      expect(health.exitCode).toBe(0);
      const check = await execIn(svc.container, [
        '/bin/promtool',
        'check',
        'config',
        '/etc/prometheus/prometheus.yml',
      ]);
      expect(check.exitCode).toBe(0);
      const info = (await (await fetch(`http://127.0.0.1:${svc.port}/api/v1/status/buildinfo`)).json()) as {
        data: { version: string };
      };
      expect(info.data.version).toMatch(/^2\.53\./);
      // /-/ready only answers once the TSDB is open, so its WAL in /prometheus was created by nobody.
      const wal = await execIn(svc.container, ['stat', '-c', '%U', '/prometheus/wal']);
      expect(wal.stdout.trim()).toBe('nobody');
    });
  });
});

describe('prometheus stand-in as aisuite runs it', { timeout: 180_000 }, () => {
  it('starts with a read-only config folder, a fresh named volume on /prometheus and --web.enable-lifecycle', async () => {
    // Given a config folder like the rendered one and an empty named volume (the engine copies the
    // image's /prometheus, owned by nobody, into it)
    const configDir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-prom-'));
    await chmod(configDir, 0o755);
    await writeFile(
      path.join(configDir, 'prometheus.yml'),
      'global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: [localhost:9090]\n',
    );
    await chmod(path.join(configDir, 'prometheus.yml'), 0o644);
    const volume = `aisuite-test-prom-${run.slice(0, 8)}`;
    await docker.createVolume({ Name: volume, Labels: { [TEST_LABEL]: '1', ...labels } });
    const svc = await startService(docker, images.prometheus!, {
      port: 9090,
      cmd: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        '--storage.tsdb.retention.time=15d',
        '--web.enable-lifecycle',
      ],
      binds: [`${volume}:/prometheus`, `${configDir}:/etc/prometheus:ro`],
      user: '65534:65534',
      labels,
    });
    try {
      // Then it is ready, and the lifecycle API reloads the config
      await waitForHttp(svc.container, `http://127.0.0.1:${svc.port}/-/ready`);
      const reload = await fetch(`http://127.0.0.1:${svc.port}/-/reload`, { method: 'POST' });
      expect(reload.status).toBe(200);
    } finally {
      await svc.stop();
      await docker.getVolume(volume).remove();
      await rm(configDir, { recursive: true, force: true });
    }
  });
});

describe('alertmanager stand-in', { timeout: 180_000 }, () => {
  it('starts with the default command, answers /-/ready as uid 65534, and has amtool and wget', async () => {
    await withService(images.alertmanager!, 9093, async (svc) => {
      await waitForHttp(svc.container, `http://127.0.0.1:${svc.port}/-/ready`);
      expect(await uidOfPid1(svc)).toBe('65534');
      const health = await execIn(svc.container, ['wget', '-q', '--spider', 'http://127.0.0.1:9093/-/ready']);
      expect(health.exitCode).toBe(0);
      const check = await execIn(svc.container, [
        '/bin/amtool',
        'check-config',
        '/etc/alertmanager/alertmanager.yml',
      ]);
      expect(check.exitCode).toBe(0);
      const status = (await (await fetch(`http://127.0.0.1:${svc.port}/api/v2/status`)).json()) as {
        versionInfo: { version: string };
      };
      expect(status.versionInfo.version).toMatch(/^0\.28\./);
    });
  });
});

describe('alertmanager stand-in as aisuite runs it', { timeout: 180_000 }, () => {
  it('starts with a read-only config folder and a fresh named volume on /alertmanager as 65534', async () => {
    const configDir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-am-'));
    await chmod(configDir, 0o755);
    await writeFile(
      path.join(configDir, 'alertmanager.yml'),
      'route:\n  receiver: none\nreceivers:\n  - name: none\n',
    );
    await chmod(path.join(configDir, 'alertmanager.yml'), 0o644);
    const volume = `aisuite-test-am-${run.slice(0, 8)}`;
    await docker.createVolume({ Name: volume, Labels: { [TEST_LABEL]: '1', ...labels } });
    const svc = await startService(docker, images.alertmanager!, {
      port: 9093,
      cmd: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
      binds: [`${volume}:/alertmanager`, `${configDir}:/etc/alertmanager:ro`],
      user: '65534:65534',
      labels,
    });
    try {
      await waitForHttp(svc.container, `http://127.0.0.1:${svc.port}/-/ready`);
      // The API takes a silence, and the data volume is writable by the container's user (65534).
      const silence = await fetch(`http://127.0.0.1:${svc.port}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: [{ name: 'alertname', value: 'Test', isRegex: false, isEqual: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: 'aisuite-test',
          comment: 'stand-in contract',
        }),
      });
      expect(silence.status).toBe(200);
      const write = await execIn(svc.container, [
        'sh',
        '-c',
        'id -u && touch /alertmanager/.probe && rm /alertmanager/.probe',
      ]);
      expect(write).toMatchObject({ exitCode: 0, stdout: '65534\n' });
    } finally {
      await svc.stop();
      await docker.getVolume(volume).remove();
      await rm(configDir, { recursive: true, force: true });
    }
  });
});

describe('node-exporter stand-in', { timeout: 180_000 }, () => {
  it('serves node_filesystem_avail_bytes on /metrics as uid 65534', async () => {
    await withService(images['node-exporter']!, 9100, async (svc) => {
      await waitForHttp(svc.container, `http://127.0.0.1:${svc.port}/metrics`);
      const metrics = await (await fetch(`http://127.0.0.1:${svc.port}/metrics`)).text();
      expect(metrics).toMatch(/^node_filesystem_avail_bytes\{/m);
      expect(metrics).toMatch(/^node_exporter_build_info\{.*version="1\.9\./m);
      // upstream's collector set: no systemd collector (Debian's default), which fails in a container
      expect(metrics).toMatch(/^node_scrape_collector_success\{collector="cpu"\} 1/m);
      expect(metrics).not.toMatch(/^node_scrape_collector_success\{collector="systemd"\}/m);
      expect(await uidOfPid1(svc)).toBe('65534');
      const health = await execIn(svc.container, ['wget', '-q', '--spider', 'http://127.0.0.1:9100/metrics']);
      expect(health.exitCode).toBe(0);
    });
  });
});

describe('node-exporter stand-in as aisuite runs it', { timeout: 180_000 }, () => {
  it('reports the host root filesystem with --path.rootfs=/host, / mounted read-only, user 65534:65534', async () => {
    const svc = await startService(docker, images['node-exporter']!, {
      port: 9100,
      cmd: ['--path.rootfs=/host'],
      binds: ['/:/host:ro'],
      user: '65534:65534',
      labels,
    });
    try {
      await waitForHttp(svc.container, `http://127.0.0.1:${svc.port}/metrics`);
      const metrics = await (await fetch(`http://127.0.0.1:${svc.port}/metrics`)).text();
      expect(metrics).toMatch(/^node_filesystem_avail_bytes\{[^}]*mountpoint="\/"[^}]*\} [0-9.e+]+$/m);
    } finally {
      await svc.stop();
    }
  });
});

describe('postgres-exporter stand-in', { timeout: 180_000 }, () => {
  it('reports pg_up 1 against the postgres stand-in with DATA_SOURCE_NAME and with DATA_SOURCE_URI/USER/PASS', async () => {
    // Given postgres on a user-defined network, reachable as "db"
    const network = await docker.createNetwork({
      Name: `aisuite-test-${run.slice(0, 8)}`,
      Labels: { [TEST_LABEL]: '1', ...labels },
    });
    const pg = await startPostgres({ network: network.id, networkAlias: 'db', labels });
    try {
      const variants = [
        [`DATA_SOURCE_NAME=postgresql://postgres:${pg.password}@db:5432/postgres?sslmode=disable`],
        [
          'DATA_SOURCE_URI=db:5432/postgres?sslmode=disable',
          'DATA_SOURCE_USER=postgres',
          `DATA_SOURCE_PASS=${pg.password}`,
        ],
      ];
      for (const env of variants) {
        // When the exporter starts with the default command
        const svc = await startService(docker, images['postgres-exporter']!, {
          port: 9187,
          env,
          network: network.id,
          labels,
        });
        try {
          // Then it scrapes postgres successfully
          await waitUntil(svc.container, 'pg_up 1', async () => {
            const metrics = await (await fetch(`http://127.0.0.1:${svc.port}/metrics`)).text();
            return /^pg_up 1$/m.test(metrics);
          });
          expect(await uidOfPid1(svc)).toBe('65534');
          // Every collector works against PostgreSQL 17 (0.11's bgwriter collector did not).
          expect(await containerLogs(svc.container, 200)).not.toMatch(/collector failed/);
          const health = await execIn(svc.container, [
            'wget',
            '-q',
            '--spider',
            'http://127.0.0.1:9187/metrics',
          ]);
          expect(health.exitCode).toBe(0);
        } finally {
          await svc.stop();
        }
      }
    } finally {
      await pg.stop();
      await network.remove();
    }
  });
});

describe('cleanup', { timeout: 180_000 }, () => {
  it('left no container, network or volume of this run behind', async () => {
    expect(isEmpty(await listByLabel(TEST_RUN_LABEL, run, docker))).toBe(true);
  });
});
