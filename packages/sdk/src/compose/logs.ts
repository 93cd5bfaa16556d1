import type { LogLine } from './types.js';

/** Turns a stream of chunks into complete lines, as they arrive (no buffering beyond one line). */
export class LineSplitter {
  private buf = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      this.onLine(line);
    }
  }

  /** Deliver a last line that had no newline. */
  end(): void {
    if (this.buf) this.onLine(this.buf.replace(/\r$/, ''));
    this.buf = '';
  }
}

const PREFIXED = /^(\S+)\s*\| ?(.*)$/;
// eslint-disable-next-line no-control-regex
const LEADING_ESCAPES = /^(?:\x1b\[[0-9;?]*[A-Za-z])+/;
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?(.*)$/;

/**
 * The service a `compose logs` prefix belongs to. Compose v2 prints "svc-1", v1 "svc_1" (the
 * container name without "proj_"); both print a container_name as is. `known` maps the names seen
 * by ps() to their service.
 */
export function serviceOfPrefix(prefix: string, project: string, known: Map<string, string>): string | undefined {
  const hit = known.get(prefix);
  if (hit) return hit;
  const v1 = new RegExp(`^(?:${project.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_)?(.+)_\\d+$`).exec(prefix);
  if (v1) return v1[1];
  const v2 = /^(.+)-\d+$/.exec(prefix);
  if (v2) return v2[1].startsWith(`${project}-`) ? v2[1].slice(project.length + 1) : v2[1];
  return undefined;
}

/** One line of `compose logs --no-color [-t]` output, or undefined when it is not a log line. */
export function parseComposeLogLine(line: string, project: string, known: Map<string, string>, timestamps: boolean, onlyKnown = false): LogLine | undefined {
  // v2 may start a line with an erase-line escape ("\x1b[2K") even with --no-color
  const m = PREFIXED.exec(line.replace(LEADING_ESCAPES, ''));
  if (!m) return undefined;
  if (onlyKnown && !known.has(m[1])) return undefined;
  const service = serviceOfPrefix(m[1], project, known);
  if (!service) return undefined;
  return withTimestamp({ service, container: m[1], text: m[2] }, timestamps);
}

/** Splits docker's `-t` RFC 3339 timestamp off the text. */
export function withTimestamp(line: LogLine, timestamps: boolean): LogLine {
  if (!timestamps) return line;
  const t = TIMESTAMP.exec(line.text);
  return t ? { ...line, timestamp: t[1], text: t[2] } : line;
}
