import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectStateDir } from '../paths.js';
import { redactValue } from '../secrets/redact.js';

export type AuditAction =
  | 'up'
  | 'down'
  | 'rollback'
  | 'auto-revert'
  | 'release-recorded'
  | 'releases-prune'
  | 'force-unlock'
  | 'checklist';

/** One line of the audit log: one change to the project, who made it and how it ended. */
export interface AuditEntry {
  readonly time: string;
  readonly project: string;
  readonly action: AuditAction;
  readonly result: 'ok' | 'failed';
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /** The release the change produced or returned to. */
  readonly tag?: string;
  /** The release that was current before the change. */
  readonly from?: string;
  readonly message?: string;
  readonly details?: Record<string, unknown>;
}

export type AuditInput = Omit<AuditEntry, 'time' | 'user' | 'host' | 'pid' | 'project'>;

export function auditFile(project: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(projectStateDir(project, env), 'audit.jsonl');
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/**
 * Append one entry. The file is opened with O_APPEND and the line written in one write(2), so lines
 * from concurrent runs never interleave; earlier lines are never rewritten.
 */
export async function appendAudit(
  project: string,
  input: AuditInput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AuditEntry> {
  const entry: AuditEntry = {
    time: new Date().toISOString(),
    project,
    user: currentUser(),
    host: os.hostname(),
    pid: process.pid,
    ...input,
  };
  const file = auditFile(project, env);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await fs.open(file, 'a', 0o600);
  try {
    await handle.write(`${JSON.stringify(redactValue(entry))}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return entry;
}

export interface AuditLog {
  readonly file: string;
  readonly entries: AuditEntry[];
  /** Lines that are not valid entries (1-based line numbers), reported rather than dropped silently. */
  readonly invalidLines: number[];
}

/** Read the whole log, oldest first; `limit` keeps the newest N. */
export async function readAudit(
  project: string,
  options: { limit?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<AuditLog> {
  const file = auditFile(project, options.env);
  let text = '';
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const entries: AuditEntry[] = [];
  const invalidLines: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as Partial<AuditEntry>;
      if (typeof value.time === 'string' && typeof value.action === 'string')
        entries.push(value as AuditEntry);
      else invalidLines.push(index + 1);
    } catch {
      invalidLines.push(index + 1);
    }
  });
  const limited = options.limit !== undefined ? entries.slice(-options.limit) : entries;
  return { file, entries: limited, invalidLines };
}
