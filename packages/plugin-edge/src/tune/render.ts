import { marks, paint, renderTable } from '@frameworks/cli-kit';
import type { TuneReport } from './run.js';

const CHANGE: Record<string, string> = { set: 'change', ok: 'already set', keep: 'keep (live is better)', omit: 'omitted' };

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Both files, their state on disk, and every key against the live kernel (what --write changes). */
export function renderPreview(r: TuneReport): string {
  const out: string[] = [];
  for (const f of r.files) {
    const state = f.on_disk === 'missing' ? 'new file' : f.on_disk === 'identical' ? 'identical to the file on disk' : 'differs from the file on disk';
    out.push(`${paint(f.path, 'bold')} (${state}):`, indent(f.content));
    if (f.on_disk === 'differs' && f.diff.length) out.push('  against the file on disk:', indent(f.diff.join('\n')));
    out.push('');
  }
  out.push(paint('Against the live kernel:', 'bold'));
  out.push(
    renderTable(r.keys, [
      { header: 'key', get: (k) => k.key },
      { header: 'live', get: (k) => k.live ?? '—' },
      { header: 'tuned', get: (k) => k.value ?? '—' },
      { header: 'target', get: (k) => k.threshold },
      { header: 'change', get: (k) => (k.action === 'omit' ? `omitted: ${k.reason}` : CHANGE[k.action]) },
    ]),
  );
  out.push('', paint('Limits (this session now → every login after --write):', 'bold'));
  out.push(renderTable(r.limits, [
    { header: 'limit', get: (l) => l.line },
    { header: 'now', get: (l) => l.live ?? '—' },
    { header: 'tuned', get: (l) => (l.action === 'keep' ? `— (keep: live is higher)` : l.target) },
  ]));
  const s = r.summary;
  out.push('', `Summary: ${s.set} to change, ${s.ok} already set, ${s.keep} kept, ${s.omit} omitted.`);
  return out.join('\n');
}

/** After --write: what was written, how it was applied, and each key as read back. */
export function renderWrite(r: TuneReport): string {
  const a = r.applied!;
  const out: string[] = [];
  for (const f of a.files) out.push(`${marks.ok()} wrote ${f.path}${f.changed ? '' : ' (unchanged)'}`);
  for (const p of a.removed_legacy) out.push(`${marks.ok()} removed ${p} (the MVP's file, which would override the new one)`);
  out.push(a.apply_command ? `Applied with: ${a.apply_command}` : 'Nothing applied (--root without --apply-keys: testing mode writes the files only).', '');
  out.push(
    renderTable(a.keys, [
      { header: 'key', get: (k) => k.key },
      { header: 'value', get: (k) => k.value },
      { header: 'read back', get: (k) => k.live_after ?? '—' },
      {
        header: 'result',
        get: (k) => (k.status === 'applied' ? `${marks.ok()} applied` : k.status === 'excluded' ? `${paint('–', 'dim')} ${k.reason}` : `${marks.fail()} not applied: ${k.reason}`),
      },
    ]),
  );
  const omitted = r.keys.filter((k) => k.action === 'omit' || k.action === 'keep');
  if (omitted.length) out.push('', ...omitted.map((k) => `${paint('–', 'dim')} ${k.key} not written: ${k.reason}`));
  out.push('', `${marks.ok()} ${a.limits.path}: ${a.limits.reason}.`);
  const s = r.summary;
  out.push('', `Summary: ${s.applied} applied, ${s.not_applied} not applied${s.excluded ? `, ${s.excluded} excluded` : ''}; ${s.keep} kept, ${s.omit} omitted.`);
  return out.join('\n');
}
