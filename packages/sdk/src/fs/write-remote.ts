import { posix } from 'node:path';
import { quoteArg as q } from '../exec/quote.js';
import type { Executor } from '../exec/types.js';
import { LEGACY_STALE_MINUTES, isLegacyTempName } from './temp-names.js';
import { failureOfStderr } from './write-errors.js';
import { StepFailure, type Backend, type Entry, type Inspection, type Target } from './write-plan.js';

/**
 * The transaction on another host, as three POSIX sh scripts fed to `sh -s` on stdin (one round trip
 * each: look, stage, commit). Every path is quoted into the script; file contents travel as base64
 * here-documents, so no byte of them is ever read by the shell. LC_ALL=C keeps the error texts that
 * tell a full disk from a permission problem in English.
 */
const HEAD = 'export LC_ALL=C\n';
const MARK = '\x1e';
const FAIL_RE = new RegExp(`${MARK}FWFAIL (-?\\d+)${MARK}`);
const LOST_RE = new RegExp(`${MARK}FWLOST (\\d+)${MARK}`, 'g');
const MARKED = new RegExp(`${MARK}[^${MARK}]*${MARK}`, 'g');

function lastLines(stderr: string): string {
  const lines = stderr
    .replace(MARKED, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-2).join('; ') || 'the command failed without a message';
}

function base64Lines(text: string): string {
  const b = Buffer.from(text, 'utf8').toString('base64');
  const out: string[] = [];
  for (let i = 0; i < b.length; i += 76) out.push(b.slice(i, i + 76));
  return out.join('\n');
}

/**
 * Temp files of the writers this one replaced, older than ten minutes by the host's clock; a name that
 * carries a pid (the old local writer ran on this host) is skipped while that process lives.
 */
const legacyScan =
  `if [ -d "$d" ]; then find "$d" -maxdepth 1 -type f -name '.*.tmp' -mmin +${LEGACY_STALE_MINUTES} 2>/dev/null | while IFS= read -r f; do\n` +
  '  p=$(printf %s "${f##*/}" | sed -n \'s/^\\..*\\.\\([0-9][0-9]*\\)\\.[0-9a-f]\\{8\\}\\.tmp$/\\1/p\')\n' +
  '  if [ -n "$p" ] && { kill -0 "$p" 2>/dev/null || kill -0 "$p" 2>&1 | grep -q ermitted; }; then continue; fi\n' +
  "  printf 'L\\0%s\\0' \"$f\"\ndone; fi\n";

export function remoteBackend(executor: Executor): Backend {
  const sh = async (script: string) => {
    const r = await executor.run(['sh', '-s'], { input: HEAD + script });
    return r;
  };
  return {
    async inspect(paths): Promise<Inspection> {
      const dirs = new Set<string>();
      const lines = paths.map(
        (p, i) =>
          `p=${q(p)}; r=$p; if [ -L "$p" ]; then r=$(readlink -f -- "$p") || r=$p; fi\n` +
          'if [ -f "$r" ]; then k=file; elif [ -e "$r" ]; then k=other; else k=missing; fi\n' +
          `printf 'F\\0%s\\0%s\\0%s\\0' ${i} "$k" "$r"\n` +
          'd=$(dirname -- "$r"); a=$d; while [ ! -e "$a" ]; do printf \'M\\0%s\\0\' "$a"; a=$(dirname -- "$a"); done\n' +
          'if [ -d "$d" ]; then for f in "$d"/.*.fwtmp.* "$d"/.*.fwbak.*; do [ -e "$f" ] && printf \'S\\0%s\\0\' "$f"; done; fi\n' +
          legacyScan,
      );
      const r = await sh(lines.join('') + 'exit 0\n');
      if (r.code !== 0) throw new StepFailure(failureOfStderr(r.stderr), 0, lastLines(r.stderr), true);
      const fields = r.stdout.split('\0');
      const targets: Target[] = [];
      const missing = new Set<string>();
      const sides = new Set<string>();
      const legacy = new Set<string>();
      for (let i = 0; i < fields.length - 1; ) {
        const tag = fields[i];
        if (tag === 'F') {
          const idx = Number(fields[i + 1]);
          targets[idx] = { path: paths[idx], kind: fields[i + 2] as Target['kind'], real: fields[i + 3] };
          dirs.add(posix.dirname(fields[i + 3]));
          i += 4;
        } else {
          if (tag === 'M') missing.add(fields[i + 1]);
          else if (tag === 'S') sides.add(fields[i + 1]);
          else if (tag === 'L') legacy.add(fields[i + 1]);
          i += 2;
        }
      }
      // A name with a newline would reach here in pieces: only whole paths in a target's folder count.
      const legacyTemps = [...legacy].filter((f) => dirs.has(posix.dirname(f)) && isLegacyTempName(posix.basename(f)));
      return { targets, missingDirs: [...missing].sort((a, b) => a.length - b.length), sideFiles: [...sides], legacyTemps };
    },

    async stage(entries: Entry[], o) {
      const temps = entries.map((e) => q(e.tmp)).join(' ');
      const dirs = o.createDirs.map(q);
      const undoDirs = [...dirs].reverse().map((d) => `rmdir -- ${d} 2>/dev/null`).join('; ');
      const parts = [
        `fail() { printf '${MARK}FWFAIL %s${MARK}\\n' "$1" >&2; rm -f -- ${temps}; ${undoDirs || ':'}; exit 1; }`,
        'umask 077; set -C',
        ...(o.stale.length ? [`rm -f -- ${o.stale.map(q).join(' ')} 2>/dev/null`] : []),
        ...dirs.map((d) => `mkdir -m 755 -- ${d} || fail -1`),
        ...entries.flatMap((e, i) => [
          `base64 -d > ${q(e.tmp)} <<'FW_EOF' || fail ${i}`,
          base64Lines(e.content),
          'FW_EOF',
          `chmod ${(e.mode & 0o7777).toString(8).padStart(4, '0')} -- ${q(e.tmp)} || fail ${i}`,
        ]),
        // fsync of just these files where sync takes operands (coreutils ≥ 8.24), else everything.
        `sync -- ${temps} 2>/dev/null || sync`,
      ];
      const r = await sh(parts.join('\n') + '\n');
      if (r.code !== 0) {
        const idx = Number(FAIL_RE.exec(r.stderr)?.[1] ?? 0);
        throw new StepFailure(failureOfStderr(r.stderr), idx, lastLines(r.stderr), true);
      }
      return { dirsCreated: o.createDirs };
    },

    async commit(entries: Entry[]) {
      const rmFrom = (from: number) =>
        entries
          .slice(from)
          .flatMap((e) => [q(e.tmp), ...(e.existed ? [q(e.bak)] : [])])
          .join(' ');
      const parts = [`fail() { printf '${MARK}FWFAIL %s${MARK}\\n' "$1" >&2; exit 1; }`];
      // A second name for each file about to be replaced: a hard link (no copy), else a copy.
      for (const [i, e] of entries.entries()) {
        if (e.existed) parts.push(`ln -- ${q(e.real)} ${q(e.bak)} 2>/dev/null || cp -p -- ${q(e.real)} ${q(e.bak)} || { rm -f -- ${rmFrom(0)}; fail ${i}; }`);
      }
      for (const [i, e] of entries.entries()) {
        const restore = entries
          .slice(0, i)
          .reverse()
          .map((d) => {
            const j = entries.indexOf(d);
            return d.existed ? `mv -f -- ${q(d.bak)} ${q(d.real)} || printf '${MARK}FWLOST ${j}${MARK}' >&2` : `rm -f -- ${q(d.real)}`;
          });
        parts.push(`mv -f -- ${q(e.tmp)} ${q(e.real)} || { ${[...restore, `rm -f -- ${rmFrom(i)}`].join('; ')}; fail ${i}; }`);
      }
      const baks = entries.filter((e) => e.existed).map((e) => q(e.bak));
      if (baks.length) parts.push(`rm -f -- ${baks.join(' ')}`);
      parts.push(`sync -- ${[...new Set(entries.map((e) => q(posix.dirname(e.real))))].join(' ')} 2>/dev/null || sync`, 'exit 0');
      const r = await sh(parts.join('\n') + '\n');
      if (r.code !== 0) {
        const idx = Number(FAIL_RE.exec(r.stderr)?.[1] ?? 0);
        const lost = [...r.stderr.matchAll(LOST_RE)].map((m) => ({ path: entries[Number(m[1])].real, backup: entries[Number(m[1])].bak }));
        throw new StepFailure(failureOfStderr(r.stderr), idx, lastLines(r.stderr), lost.length === 0, lost);
      }
    },

    async removeDirs(dirs) {
      if (dirs.length) await sh([...dirs].reverse().map((d) => `rmdir -- ${q(d)} 2>/dev/null`).join('\n') + '\nexit 0\n');
    },
  };
}
