import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { readDockerJsonStream } from './docker-stream.js';

/**
 * Applied to the debootstrapped tree before import, like the official images' tweaks: apt keeps no
 * caches, fetches no translations, retries on a flaky mirror, and dpkg skips docs and man pages.
 */
export const DEBIAN_ROOTFS_TWEAKS = `set -eu
cd "$ROOTFS"
cat > etc/apt/apt.conf.d/docker-clean <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
printf 'Acquire::Languages "none";\\n' > etc/apt/apt.conf.d/docker-no-languages
printf 'Acquire::Retries "3";\\n' > etc/apt/apt.conf.d/docker-retries
# As the old official images' docker-apt-speedup: no fsync per unpacked file (a throw-away build layer).
printf 'force-unsafe-io\\n' > etc/dpkg/dpkg.cfg.d/docker-apt-speedup
rm -f etc/dpkg/dpkg.cfg.d/99mmdebstrap
cat > etc/dpkg/dpkg.cfg.d/docker-slim <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
EOF
find usr/share/doc -type f ! -name copyright -delete
find usr/share/doc -depth -mindepth 1 -type d -empty -delete
rm -rf usr/share/man/* usr/share/info/* var/lib/apt/lists/* var/cache/apt/archives/*.deb var/cache/apt/*.bin
rm -f var/log/bootstrap.log var/log/dpkg.log var/log/alternatives.log var/log/apt/*
: > etc/resolv.conf
: > etc/hostname
`;

type Log = (line: string) => void;

/** Runs a command; on failure the error names it and carries the last lines of its output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`${cmd} could not start: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const tail = output.trim().split('\n').slice(-20).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail}`));
    });
  });
}

// debootstrap mounts /proc and /sys inside the tree; a failed run can leave them mounted, and a
// recursive delete must never walk into them.
async function unmountInside(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((mount) => mount.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) await run('umount', ['-l', mount]).catch(() => undefined);
}

async function importRootfs(docker: Docker, rootfs: string, ref: string, labels: Record<string, string>) {
  const [repo, tag] = ref.split(':') as [string, string];
  const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-c', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tarErr = '';
  tar.stderr.on('data', (chunk: Buffer) => (tarErr += chunk.toString()));
  const tarDone = new Promise<number | null>((resolve) => tar.on('close', resolve));
  const changes = [...Object.entries(labels).map(([key, value]) => `LABEL ${key}=${value}`), 'CMD ["bash"]'];
  const stream = await docker.importImage(tar.stdout, { repo, tag, changes });
  await readDockerJsonStream(stream);
  const code = await tarDone;
  if (code !== 0) throw new Error(`tar of ${rootfs} exited with ${code}: ${tarErr.slice(-2000)}`);
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && existsSync(path.join(dir, cmd)));
}

/**
 * mmdebstrap when installed (it downloads in parallel and unpacks in one dpkg run: about half the CPU
 * time of debootstrap), else debootstrap; AISUITE_STANDIN_BOOTSTRAP forces one. Both produce a minbase
 * tree with the same sources.list, so the choice is not part of the recipe hash.
 */
export function bootstrapTool(): 'mmdebstrap' | 'debootstrap' {
  const forced = process.env.AISUITE_STANDIN_BOOTSTRAP;
  if (forced === 'mmdebstrap' || forced === 'debootstrap') return forced;
  return onPath('mmdebstrap') ? 'mmdebstrap' : 'debootstrap';
}

// mmdebstrap: merged /usr through its hook rather than the usrmerge package (which pulls in perl and
// leaves a bookworm tree 45 MB larger than debootstrap's), and dpkg without fsync.
function toolOptions(tool: 'mmdebstrap' | 'debootstrap'): string[] {
  if (tool === 'debootstrap') return [];
  const hook = '/usr/share/mmdebstrap/hooks/maybe-merged-usr';
  return ['--quiet', '--dpkgopt=force-unsafe-io', ...(existsSync(hook) ? [`--hook-dir=${hook}`] : [])];
}

/** Bootstraps a minbase tree of a suite and `docker import`s it (needs root, and debootstrap or mmdebstrap). */
export async function buildDebianImage(
  docker: Docker,
  opts: { suite: string; mirror: string; ref: string; labels: Record<string, string>; log: Log },
): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aisuite-standin-rootfs-'));
  const rootfs = path.join(dir, 'rootfs');
  try {
    const tool = bootstrapTool();
    opts.log(`${tool} ${opts.suite} from ${opts.mirror}`);
    await run(tool, [...toolOptions(tool), '--variant=minbase', opts.suite, rootfs, opts.mirror]);
    await run('sh', ['-c', DEBIAN_ROOTFS_TWEAKS], { ...process.env, ROOTFS: rootfs });
    opts.log(`docker import ${opts.ref}`);
    await importRootfs(docker, rootfs, opts.ref, opts.labels);
  } finally {
    await unmountInside(dir);
    await run('rm', ['-rf', '--one-file-system', dir]).catch(() => undefined);
  }
}
