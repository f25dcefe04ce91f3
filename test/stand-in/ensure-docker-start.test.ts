import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The start path of scripts/ensure-docker.sh cannot run for real here (an engine already runs and a
// second dockerd would fight it for iptables and the bridge), so fake `docker`, `dockerd` and `pgrep`
// executables on PATH play the engine: this checks the script's own flow (start, wait, fail fast with
// the log when dockerd dies, bounded wait), not Docker.
let dir: string;

const FAKE_DOCKER = `#!/bin/sh
case "$1" in
  info) [ -f "$FAKE_STATE/up" ] ;;
  version) echo "99.0-fake (API 1.41)" ;;
  *) exit 2 ;;
esac
`;
const FAKE_DOCKERD = `#!/bin/sh
echo $$ > "$FAKE_STATE/pid"
echo "fake dockerd starting"
case "$FAKE_MODE" in
  ok) sleep 1; touch "$FAKE_STATE/up"; sleep 5 ;;
  crash) echo "failed to start daemon: boom"; exit 1 ;;
  hang) sleep 6 ;;
esac
`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-ensure-docker-'));
  for (const [name, body] of Object.entries({
    docker: FAKE_DOCKER,
    dockerd: FAKE_DOCKERD,
    pgrep: '#!/bin/sh\nexit 1\n',
  })) {
    await writeFile(path.join(dir, name), body);
    await chmod(path.join(dir, name), 0o755);
  }
});

afterEach(async () => {
  // Stop the fake dockerd if it still sleeps.
  const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8').catch(() => ''));
  if (pid > 0) {
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

function ensureDocker(mode: 'ok' | 'crash' | 'hang') {
  const env = {
    PATH: `${dir}:/usr/sbin:/usr/bin:/sbin:/bin`,
    FAKE_STATE: dir,
    FAKE_MODE: mode,
    DOCKERD_LOG: path.join(dir, 'dockerd.log'),
    DOCKERD_WAIT: '3',
  };
  const result = spawnSync('sh', ['scripts/ensure-docker.sh'], { env, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.runIf(process.getuid?.() === 0)('scripts/ensure-docker.sh starting dockerd (root on Debian)', () => {
  it('starts dockerd in the background and waits until the engine answers', () => {
    const result = ensureDocker('ok');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^ensure-docker: started dockerd in \ds \(log: .*dockerd\.log\): 99\.0-fake/,
    );
  });

  it('fails at once with the log tail when dockerd exits', () => {
    const result = ensureDocker('crash');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/dockerd exited after [01]s/);
    expect(result.stderr).toMatch(/failed to start daemon: boom/);
  });

  it('gives up after DOCKERD_WAIT seconds with the log tail', () => {
    const result = ensureDocker('hang');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/dockerd did not answer within 3s/);
    expect(result.stderr).toMatch(/fake dockerd starting/);
  });
});
