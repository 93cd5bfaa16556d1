/**
 * Turns decoded gRPC replies into the shapes the REST transport returns (commands never know which
 * era answered): Timestamps → RFC 3339 strings, Struct → plain JSON, absent messages → no key.
 */
export interface TimestampMsg {
  seconds?: number | string | null;
  nanos?: number | null;
}

/** `{seconds, nanos}` → `2026-01-02T03:04:05.123Z` (millisecond precision, as Date prints). */
export function timestampToRfc3339(ts: TimestampMsg | null | undefined): string | undefined {
  if (!ts || typeof ts !== 'object') return undefined;
  const ms = Number(ts.seconds ?? 0) * 1000 + Math.floor(Number(ts.nanos ?? 0) / 1_000_000);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export function dateToTimestamp(d: Date): { seconds: number; nanos: number } {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

interface ValueMsg {
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: StructMsg;
  listValue?: { values?: ValueMsg[] };
}
export interface StructMsg {
  fields?: Record<string, ValueMsg>;
}

export function structToJson(s: StructMsg | null | undefined): Record<string, unknown> | undefined {
  if (!s || typeof s !== 'object') return undefined;
  return Object.fromEntries(Object.entries(s.fields ?? {}).map(([k, v]) => [k, valueToJson(v)]));
}

function valueToJson(v: ValueMsg | undefined): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.numberValue !== undefined) return v.numberValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.structValue !== undefined) return structToJson(v.structValue) ?? {};
  if (v.listValue !== undefined) return (v.listValue.values ?? []).map(valueToJson);
  return null;
}

export function jsonToStruct(obj: Record<string, unknown>): StructMsg {
  return { fields: Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, jsonToValue(v)])) };
}

function jsonToValue(v: unknown): ValueMsg {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(jsonToValue) } };
  return { structValue: jsonToStruct(v as Record<string, unknown>) };
}

/**
 * Copies a decoded message, replacing the named Timestamp fields by RFC 3339 strings and Struct fields
 * by JSON, and dropping keys whose message was absent (null), as the REST JSON omits them.
 */
export function plain<T>(msg: Record<string, unknown>, times: readonly string[], structs: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg)) {
    if (times.includes(k)) {
      const t = timestampToRfc3339(v as TimestampMsg);
      if (t !== undefined) out[k] = t;
    } else if (structs.includes(k)) {
      const j = structToJson(v as StructMsg);
      if (j !== undefined) out[k] = j;
    } else if (v !== null && v !== undefined) {
      out[k] = v;
    }
  }
  return out as T;
}
