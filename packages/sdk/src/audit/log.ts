import { appendFileSync, mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { ensurePrivateDir } from '../fs/atomic.js';
import { frameworksPaths, type FrameworksPaths } from '../paths.js';
import { redact, redactValue } from '../redact.js';

export interface AuditEntry {
  command: string;
  context?: string;
  flags?: Record<string, unknown>;
  args?: Record<string, unknown>;
  targets?: string[];
  outcome: 'ok' | 'failed' | 'dry-run' | 'interrupted' | 'partial';
  exit_code: number;
  duration_ms: number;
  error_code?: string;
}

/**
 * Append one JSON line per mutating command to ~/.frameworks/audit.log (0600).
 * One write(2) of a line under O_APPEND keeps concurrent writers' lines whole.
 */
export async function appendAudit(entry: AuditEntry, paths: FrameworksPaths = frameworksPaths()): Promise<void> {
  await ensurePrivateDir(paths.home);
  await appendFile(paths.audit, auditLine(entry), { mode: 0o600 });
}

/** The same line, synchronously: for the last moment of a process aborted by a second Ctrl-C. */
export function appendAuditSync(entry: AuditEntry, paths: FrameworksPaths = frameworksPaths()): void {
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  appendFileSync(paths.audit, auditLine(entry), { mode: 0o600 });
}

function auditLine(entry: AuditEntry): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep "unknown".
  }
  const line = {
    time: new Date().toISOString(),
    user,
    pid: process.pid,
    ...entry,
    // strict: a token shown once at creation (allowSecret) must still never reach the audit log.
    flags: entry.flags ? redactValue(entry.flags, '', { strict: true }) : undefined,
    args: entry.args ? redactValue(entry.args, '', { strict: true }) : undefined,
  };
  return redact(JSON.stringify(line), { strict: true }) + '\n';
}
