import type { Compare } from './targets.js';

/** Kernel values come back tab-separated (ip_local_port_range) or with a newline: compare words. */
export function normalizeValue(v: string): string {
  return v.trim().split(/\s+/).join(' ');
}

function numbers(v: string): number[] {
  return normalizeValue(v).split(' ').map(Number);
}

/** Does the live value already meet the target? */
export function meets(compare: Compare, live: string, target: string): boolean {
  const l = normalizeValue(live);
  const t = normalizeValue(target);
  switch (compare) {
    case 'exact':
      return l === t;
    case 'min':
    case 'max': {
      const [a] = numbers(l);
      const [b] = numbers(t);
      if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
      return compare === 'min' ? a >= b : a <= b;
    }
    case 'range': {
      const [lo, hi] = numbers(l);
      const [tlo, thi] = numbers(t);
      if (![lo, hi, tlo, thi].every(Number.isFinite)) return false;
      return lo <= tlo && hi >= thi;
    }
  }
}

/**
 * The value to write: the better of live and target, so tuning never lowers what the host already
 * has (fs.file-max, for one, scales with RAM and is often above the target). A port range keeps
 * the wider bound on each side.
 */
export function desiredValue(compare: Compare, live: string | undefined, target: string): string {
  const t = normalizeValue(target);
  if (live === undefined || compare === 'exact') return t;
  const l = normalizeValue(live);
  if (compare === 'range') {
    const [lo, hi] = numbers(l);
    const [tlo, thi] = numbers(t);
    if (![lo, hi, tlo, thi].every(Number.isFinite)) return t;
    return `${Math.min(lo, tlo)} ${Math.max(hi, thi)}`;
  }
  return meets(compare, l, t) ? l : t;
}

/** The threshold as shown to a user: "≥ 67108864", "≤ 10", "= bbr", "covers 10000–65535". */
export function describeThreshold(compare: Compare, target: string): string {
  const t = normalizeValue(target);
  switch (compare) {
    case 'exact':
      return `= ${t}`;
    case 'min':
      return `≥ ${t}`;
    case 'max':
      return `≤ ${t}`;
    case 'range': {
      const [lo, hi] = t.split(' ');
      return `covers ${lo}–${hi}`;
    }
  }
}
