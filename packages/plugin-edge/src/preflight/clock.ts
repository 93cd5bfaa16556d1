import { headDate, type Executor } from '@frameworks/sdk';
import { probe } from '../lib/probe.js';
import { check, type Check } from './types.js';

export const CLOCK_WARN_S = 1;
export const CLOCK_FAIL_S = 5;

/** An offset of the host's clock against a reference: host − reference, ± how sure we are. */
export interface ClockSample {
  source: string;
  offsetS: number;
  uncertaintyS: number;
}

export interface NtpStatus {
  source: 'timedatectl' | 'chronyc';
  synced?: boolean;
  /** chrony knows the offset to its NTP sources precisely. */
  offsetS?: number;
}

/** `timedatectl show -p NTPSynchronized --value` → yes | no. */
export function parseTimedatectl(stdout: string): boolean | undefined {
  const v = stdout.trim();
  return v === 'yes' ? true : v === 'no' ? false : undefined;
}

/** `chronyc -n tracking`: "System time : 0.000012 seconds fast of NTP time", "Leap status : Normal". */
export function parseChronyTracking(stdout: string): { synced?: boolean; offsetS?: number } {
  const sys = /System time\s*:\s*([\d.]+) seconds (fast|slow) of NTP time/.exec(stdout);
  const leap = /Leap status\s*:\s*(.+)/.exec(stdout)?.[1].trim();
  const offsetS = sys ? Number(sys[1]) * (sys[2] === 'fast' ? 1 : -1) : undefined;
  return { offsetS, synced: leap === undefined ? undefined : leap !== 'Not synchronised' };
}

/**
 * From an HTTP Date header (whole seconds): the reference time was in [D, D+1) somewhere between
 * sending the request (t0) and getting the answer (t1). Midpoint estimate, and the half-widths as
 * the uncertainty, so a 0.9 s offset is never reported as a certain 1 s one.
 */
export function offsetFromDateHeader(date: string, t0Ms: number, t1Ms: number, source: string): ClockSample | undefined {
  const d = Date.parse(date);
  if (!Number.isFinite(d)) return undefined;
  const mid = (t0Ms + t1Ms) / 2000;
  return { source, offsetS: mid - (d / 1000 + 0.5), uncertaintyS: 0.5 + (t1Ms - t0Ms) / 2000 };
}

/** Remote `date +%s.%N` against this machine's clock, read before and after the round trip. */
export function offsetFromRemoteDate(stdout: string, t0Ms: number, t1Ms: number): ClockSample | undefined {
  const remote = Number(stdout.trim());
  // busybox date prints a literal "%N": fall back to whole seconds.
  const whole = /^(\d+)\.%?N$/.exec(stdout.trim());
  if (!Number.isFinite(remote) && !whole) return undefined;
  const r = whole ? Number(whole[1]) + 0.5 : remote;
  const mid = (t0Ms + t1Ms) / 2000;
  return { source: "this machine's clock", offsetS: r - mid, uncertaintyS: (t1Ms - t0Ms) / 2000 + (whole ? 0.5 : 0) };
}

/** |offset| we are sure of: the estimate minus its uncertainty, never below 0. */
export function certainOffset(s: ClockSample): number {
  return Math.max(0, Math.abs(s.offsetS) - s.uncertaintyS);
}

const THRESHOLD = `NTP synced; |offset| ≤ ${CLOCK_WARN_S} s (fail > ${CLOCK_FAIL_S} s)`;
const fmt = (s: number) => {
  const text = Math.abs(s) < 10 ? Math.abs(s).toFixed(2) : Math.abs(s).toFixed(0);
  // No "−0.00": the sign only when the rounded value has one.
  return `${Number(text) === 0 || s >= 0 ? '+' : '−'}${text} s`;
};

export function evaluateClock(i: { ntp?: NtpStatus; sample?: ClockSample; sampleError?: string }): Check {
  const parts: string[] = [];
  const samples: ClockSample[] = [];
  if (i.ntp) {
    parts.push(i.ntp.synced === true ? `NTP synchronised (${i.ntp.source})` : i.ntp.synced === false ? `NTP not synchronised (${i.ntp.source})` : `NTP status unknown (${i.ntp.source})`);
    if (i.ntp.offsetS !== undefined) samples.push({ source: 'NTP (chrony)', offsetS: i.ntp.offsetS, uncertaintyS: 0 });
  } else parts.push('no NTP status (timedatectl/chronyc unavailable)');
  if (i.sample) {
    samples.push(i.sample);
    parts.push(`offset ${fmt(i.sample.offsetS)} ±${i.sample.uncertaintyS.toFixed(2)} s vs ${i.sample.source}`);
  } else if (i.ntp?.offsetS !== undefined) parts.push(`offset ${fmt(i.ntp.offsetS)} vs NTP`);
  else if (i.sampleError) parts.push(`no reference clock (${i.sampleError})`);
  const value = parts.join('; ');
  const worst = Math.max(0, ...samples.map(certainOffset));
  const syncHint = 'Turn on time sync (timedatectl set-ntp true, or install chrony): TLS certificates, ACME and enrollment tokens depend on the clock.';
  if (worst > CLOCK_FAIL_S) return check('clock', 'time', 'fail', value, THRESHOLD, `The clock is off by more than ${CLOCK_FAIL_S} s. ${syncHint}`, 'timedatectl set-ntp true');
  if (worst > CLOCK_WARN_S) return check('clock', 'time', 'warn', value, THRESHOLD, `The clock is off by more than ${CLOCK_WARN_S} s. ${syncHint}`, 'timedatectl set-ntp true');
  if (i.ntp?.synced === false) return check('clock', 'time', 'warn', value, THRESHOLD, syncHint, 'timedatectl set-ntp true');
  if (samples.length === 0 && i.ntp?.synced !== true) {
    return check('clock', 'time', 'warn', value, THRESHOLD, 'Could not verify the clock: no NTP status and no reference answered (the context gateway gives one through its Date header). ' + syncHint);
  }
  return check('clock', 'time', 'pass', value, THRESHOLD);
}

/** NTP status from timedatectl, else chronyc; both run at once. */
export async function readNtpStatus(executor: Executor): Promise<NtpStatus | undefined> {
  const [td, chrony] = await Promise.all([
    probe(executor, ['timedatectl', 'show', '-p', 'NTPSynchronized', '--value'], { timeoutMs: 5_000 }),
    probe(executor, ['chronyc', '-n', 'tracking'], { timeoutMs: 5_000 }),
  ]);
  // chrony first: it also knows the offset. Not running → "506 Cannot talk to daemon", exit 1.
  if (chrony.ok) {
    const c = parseChronyTracking(chrony.stdout);
    if (c.synced !== undefined || c.offsetS !== undefined) return { source: 'chronyc', ...c };
  }
  if (td.ok) {
    const synced = parseTimedatectl(td.stdout);
    if (synced !== undefined) return { source: 'timedatectl', synced };
  }
  return undefined;
}

/** Over SSH: the remote clock against ours. */
export async function sampleRemoteClock(executor: Executor): Promise<ClockSample | { error: string }> {
  const t0 = Date.now();
  const r = await probe(executor, ['date', '+%s.%N'], { timeoutMs: 5_000 });
  const t1 = Date.now();
  const s = r.ok ? offsetFromRemoteDate(r.stdout, t0, t1) : undefined;
  return s ?? { error: r.ok ? `unexpected date output "${r.stdout.trim()}"` : r.stderr.trim() || 'date failed' };
}

/** Locally: the Date header of an HTTP endpoint (the context's gateway). Any status will do. */
export async function sampleHttpDate(url: string, timeoutMs = 3_000): Promise<ClockSample | { error: string }> {
  const r = await headDate(url, timeoutMs);
  if ('error' in r) return r;
  if (!r.date) return { error: `${url} sent no Date header` };
  return offsetFromDateHeader(r.date, r.sentAt, r.receivedAt, `${new URL(url).host} Date header`) ?? { error: `${url} sent an unreadable Date header` };
}

export async function checkClock(executor: Executor, reference: () => Promise<ClockSample | { error: string }>): Promise<Check> {
  const [ntp, ref] = await Promise.all([readNtpStatus(executor), reference()]);
  return evaluateClock({ ntp, sample: 'error' in ref ? undefined : ref, sampleError: 'error' in ref ? ref.error : undefined });
}
