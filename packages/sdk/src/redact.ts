/**
 * Redaction: every byte the CLI prints, logs or audits passes through `redact()`.
 * Known secret values (loaded credentials, tokens typed on the command line) are
 * registered at runtime; well-known token shapes are caught by pattern as a second net.
 */
const secrets = new Set<string>();
/** Secrets the user must see once (a token at creation); everything else stays masked. */
const allowed = new Set<string>();

export function allowSecret(value: string): void {
  allowed.add(value);
}

/** Register a secret value so that it never appears whole in any output. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) secrets.add(value);
}

/** Show enough of a secret to tell two apart, never enough to use it. */
export function mask(value: string | undefined | null): string {
  if (!value) return '';
  if (value.length <= 12) return '****';
  return `${value.slice(0, 4)}…${value.slice(-4)} (${value.length} chars)`;
}

const PATTERNS: Array<[RegExp, (m: string, ...g: string[]) => string]> = [
  // JWT: three base64url segments, the first of which decodes to a JSON header.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, (m) => mask(m)],
  // Authorization headers and key=value / "key": "value" pairs whose key names a secret.
  [/(\bBearer\s+)([^\s"',]+)/gi, (_m, p, v) => `${p}${mask(v)}`],
  [
    /(["']?(?:password|passwd|token|service[_-]?token|secret|jwt|authorization|api[_-]?key|token_value)["']?[ \t]*[:=][ \t]*["']?)([^"'\s,}&]{6,})/gi,
    (_m, p, v) => (v.startsWith('****') || v.includes('…') ? `${p}${v}` : `${p}${mask(v)}`),
  ],
  // Credentials in a URL (`https://user:secret@host/…`, `https://<token>@host/…`): the userinfo is masked, the rest kept.
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]+):([^\s/@'"]+)@/gi, (_m, s, u, _p) => `${s}${u}:****@`],
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]{16,})@/gi, (_m, s) => `${s}****@`],
  // Developer API tokens and bootstrap tokens of both eras.
  [/\b(?:fwk_|fw_|bt_)[A-Za-z0-9]{16,}\b/g, (m) => mask(m)],
];

export interface RedactOptions {
  /** Ignore allowSecret(): for records that outlive the moment (the audit log). */
  strict?: boolean;
}

export function redact(text: string, opts: RedactOptions = {}): string {
  // Park allowed values behind placeholders so neither pass below touches them.
  const parked: string[] = [];
  let out = text;
  for (const a of opts.strict ? [] : allowed) {
    if (out.includes(a)) {
      out = out.split(a).join(`\uE000${parked.length}\uE000`);
      parked.push(a);
    }
  }
  // Longest first so a secret that contains another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(mask(s));
  }
  for (const [re, fn] of PATTERNS) out = out.replace(re, fn as (m: string) => string);
  return parked.length ? out.replace(/\uE000(\d+)\uE000/g, (_m, i) => parked[Number(i)]) : out;
}

/** Deep-redact a JSON-able value: strings are redacted, secret-named keys are masked. */
export function redactValue<T>(value: T, keyHint = '', opts: RedactOptions = {}): T {
  if (typeof value === 'string') {
    if (!opts.strict && allowed.has(value)) return value;
    return (isSecretKey(keyHint) && !value.includes('…') && value !== '****' ? mask(value) : redact(value, opts)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, keyHint, opts)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k, opts);
    return out as T;
  }
  return value;
}

const SECRET_KEY = /^(password|passwd|token|service[-_]?token|serviceToken|secret|client[-_]?secret|jwt|authorization|api[-_]?key|token[-_]?value|tokenValue|enrollment[-_]?token)$/i;
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** For tests: forget registered secrets. */
export function clearSecrets(): void {
  secrets.clear();
  allowed.clear();
}
