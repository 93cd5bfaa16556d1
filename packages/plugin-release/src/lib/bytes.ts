/** 46.3 MiB, 1.2 GiB: sizes as people read them (binary units, as df -h). */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Bytes and rate since `started` (performance.now()): "12.3 MiB of 46.0 MiB, 85.2 MiB/s". */
export function rateLine(bytes: number, total: number | undefined, startedMs: number): string {
  const s = Math.max((performance.now() - startedMs) / 1000, 0.001);
  return `${humanBytes(bytes)}${total ? ` of ${humanBytes(total)}` : ''}, ${humanBytes(Math.round(bytes / s))}/s`;
}

export function bytesPerSecond(bytes: number, ms: number): number {
  return Math.round(bytes / Math.max(ms / 1000, 0.001));
}
