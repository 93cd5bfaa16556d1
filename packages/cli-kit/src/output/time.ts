import { tableWidth } from './mode.js';

/** A Date from a Date, an RFC 3339 string or epoch ms; undefined when absent or unreadable. */
function toDate(t: Date | string | number | null | undefined): Date | undefined {
  if (t === null || t === undefined || t === '') return undefined;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** `just now`, `in 23 h`, `2 d ago`, `5 min ago`: how far `t` is from now, in the largest unit that reads well. */
export function relativeTime(t: Date | string | number | null | undefined, now = Date.now()): string {
  const d = toDate(t);
  if (!d) return '-';
  const s = Math.round((d.getTime() - now) / 1000);
  const a = Math.abs(s);
  if (a < 45) return 'just now';
  const span = a < 90 ? `${a} s` : a < 5400 ? `${Math.round(a / 60)} min` : a < 172_800 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86_400)} d`;
  return s > 0 ? `in ${span}` : `${span} ago`;
}

/** `2026-12-04 10:00 CET`: the local date and time with the zone's name. */
export function localDate(t: Date | string | number | null | undefined): string {
  const d = toDate(t);
  if (!d) return '-';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

/**
 * A time in a table cell: `in 23 h` on a terminal; more than 30 days away it is the local day
 * (`2027-03-01`), which matters then. The full table (`-o wide`, off a terminal) has both:
 * `in 23 h (2026-12-04 10:00 UTC)`. JSON keeps the RFC 3339 value.
 */
export function timeCell(t: Date | string | number | null | undefined, now = Date.now()): string {
  const d = toDate(t);
  if (!d) return '-';
  if (tableWidth() === undefined) return `${relativeTime(d, now)} (${localDate(d)})`;
  return Math.abs(d.getTime() - now) > 30 * 86_400_000 ? localDate(d).slice(0, 10) : relativeTime(d, now);
}
