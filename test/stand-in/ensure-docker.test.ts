import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The engine is running here (CI starts it with this same script); the paths that would start one
// are only reachable without an engine, so these tests cover the answering and the refusing paths.
function ensureDocker(env: NodeJS.ProcessEnv, asNobody = false) {
  const args = asNobody
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'sh', 'scripts/ensure-docker.sh']
    : ['sh', 'scripts/ensure-docker.sh'];
  const result = spawnSync(args[0]!, args.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/ensure-docker.sh', () => {
  it('prints one line and exits 0 when the engine answers', () => {
    const result = ensureDocker({});
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toMatch(/^ensure-docker: engine answers at .*\(API \d+\.\d+\)/);
  });

  it('exits 1 naming DOCKER_HOST when an explicit engine does not answer (and starts nothing)', () => {
    const result = ensureDocker({ DOCKER_HOST: 'unix:///nonexistent/aisuite-test.sock' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no engine answers at DOCKER_HOST=unix:\/\/\/nonexistent\/aisuite-test\.sock/,
    );
  });

  it.runIf(process.getuid?.() === 0)(
    'tells a non-root user what to do instead of installing anything',
    () => {
      const result = ensureDocker({ HOME: '/tmp' }, true);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/only starts one as root on Debian/);
      expect(result.stderr).toMatch(/docker info/);
    },
  );
});
