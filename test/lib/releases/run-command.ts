import { packageRoot } from '../../../src/lib/paths.js';

export interface InProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command class in this process (no build needed) with the given env, capturing stdout, stderr
 * and the exit code the base command chose.
 */
export async function runCommand(
  command: { run(argv: string[], root: string): Promise<unknown> },
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<InProcessResult> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (stdout += String(chunk)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += String(chunk)),
    true
  )) as typeof process.stderr.write;
  // oclif's `log` goes through console.log, which vitest intercepts
  const consoleLog = console.log;
  console.log = (...args: unknown[]) => void (stdout += `${args.map(String).join(' ')}\n`);
  let exitCode = 0;
  try {
    await command.run(argv, packageRoot());
  } catch (error) {
    const oclif = (error as { oclif?: { exit?: number } }).oclif;
    if (oclif?.exit === undefined) throw error;
    exitCode = oclif.exit;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    console.log = consoleLog;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { exitCode, stdout, stderr };
}
