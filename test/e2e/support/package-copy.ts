import { access, cp, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/**
 * A private, installed-like copy of the package for the e2e run: package.json, lockfile, docker/,
 * bin/, templates/, assets/, a fresh `dist/` compiled and bundled straight into it, and the repository's
 * node_modules linked in. Other work in the same checkout runs `npm run build` (which starts with
 * `rm -rf dist`) at any time; the tests must not see the CLI vanish halfway through.
 */
export async function preparePackageCopy(repo: string, target: string): Promise<void> {
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  for (const entry of [
    'package.json',
    'package-lock.json',
    '.npmrc',
    'docker',
    'bin',
    'templates',
    'assets',
  ]) {
    await cp(path.join(repo, entry), path.join(target, entry), { recursive: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      },
    );
  }
  await symlink(path.join(repo, 'node_modules'), path.join(target, 'node_modules'), 'dir');
  // Type errors in work in progress elsewhere must not stop the run: tsc still emits, and the CLI's
  // own entry points are checked below.
  const tsc = await execa(
    path.join(repo, 'node_modules', '.bin', 'tsc'),
    ['-p', path.join(repo, 'tsconfig.build.json'), '--outDir', path.join(target, 'dist')],
    { cwd: repo, reject: false },
  );
  if (tsc.exitCode !== 0)
    process.stderr.write(`[e2e setup] tsc reported errors (emitted anyway):\n${tsc.stdout}\n`);
  for (const entry of ['dist/commands/up.js', 'dist/services/main.js']) {
    await access(path.join(target, entry));
  }
  // then bundled as `npm run build` does: the tests run the CLI and the services image users get
  await execa(process.execPath, [path.join(repo, 'scripts', 'bundle.mjs')], { cwd: target });
  await execa(path.join(repo, 'node_modules', '.bin', 'oclif'), ['manifest'], {
    cwd: target,
    stdout: 'ignore',
  });
}
