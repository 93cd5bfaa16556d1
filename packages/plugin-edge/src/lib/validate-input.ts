import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { checkProjectName, usageError } from '@frameworks/sdk';

/**
 * Validation of everything `edge init` writes into .edge.env, the Caddyfile and the compose file.
 * Every value that reaches a generated file passes one of these first, so no newline, brace,
 * quote, `$` or space can change the meaning of a generated file. Messages never echo a secret
 * and show other values JSON-quoted (a newline prints as \n).
 */

export type TlsMode = 'acme' | 'internal';
export const TLS_MODES: readonly TlsMode[] = ['acme', 'internal'];

export interface DomainCheck {
  /** Lower-cased host name or IP address, without a trailing dot or IPv6 brackets. */
  domain: string;
  kind: 'dns' | 'ipv4' | 'ipv6';
  /** Normalisations applied (shown as warnings). */
  notes: string[];
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Top-level names no public CA issues for (RFC 2606, RFC 6761, RFC 6762, ICANN .internal). */
const RESERVED_TLDS = new Set(['localhost', 'local', 'test', 'invalid', 'example', 'internal', 'lan', 'home', 'arpa']);

export function describeChar(c: string): string {
  switch (c) {
    case ' ':
      return 'a space';
    case '\n':
      return 'a newline';
    case '\r':
      return 'a carriage return';
    case '\t':
      return 'a tab';
    case '"':
      return 'a double quote';
    case "'":
      return 'a single quote';
    case '`':
      return 'a backtick';
    default: {
      const code = c.codePointAt(0) ?? 0;
      if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
      if (/\s/u.test(c)) return 'whitespace';
      return `"${c}"`;
    }
  }
}

/** Shown in messages: JSON quoting makes newlines and control characters visible; long values are cut. */
export function show(value: string, max = 80): string {
  const q = JSON.stringify(value);
  return q.length > max ? `${q.slice(0, max - 2)}…"` : q;
}

const domainHint = (tls: TlsMode) =>
  tls === 'acme'
    ? ['Give the DNS name that points at this edge host, e.g. --domain edge-1.example.com']
    : ['Give a host name (e.g. --domain edge-1.example.com or --domain edge-1) or an IP address'];

/**
 * --domain: an RFC 1123 host name (lower-cased, at most 253 characters, labels of 1–63 letters,
 * digits and inner hyphens). One trailing dot (the absolute form) is removed: Caddy matches the
 * SNI name, which never has it. No wildcards (they need DNS-01, out of scope). An IP address is
 * accepted only with --tls internal: ACME HTTP-01 cannot issue a certificate for an IP. With ACME
 * the name must also be public: at least two labels and not under a reserved TLD (.test, .local …).
 */
export function validateDomain(input: string, tls: TlsMode): DomainCheck {
  const bad = (why: string, extra: string[] = []) =>
    usageError(`--domain ${show(input)} is not a valid domain: ${why}.`, [...extra, ...domainHint(tls)], 'INVALID_DOMAIN');
  if (input === '') throw bad('it is empty');
  const notes: string[] = [];

  // Characters first, so the message names the exact offender (space, newline, brace, `$` …).
  for (const c of input) {
    if (/[A-Za-z0-9.\-:[\]]/.test(c)) continue;
    if (c === '*') throw bad('wildcards are not supported (a wildcard certificate needs the DNS-01 challenge)', ['Run one edge per name, e.g. --domain edge-1.example.com']);
    if ((c.codePointAt(0) ?? 0) > 0x7f && !/\s/u.test(c)) {
      const ascii = domainToASCII(input);
      throw bad('it contains non-ASCII characters', ascii ? [`Use the ASCII (punycode) form: --domain ${ascii}`] : []);
    }
    throw bad(`it contains ${describeChar(c)}`);
  }

  // IP addresses (IPv6 with or without brackets).
  const bare = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const ipVersion = isIP(bare);
  if (ipVersion) {
    if (tls === 'acme') {
      throw usageError(
        `--domain ${show(input)} is an IP address: ACME (Let's Encrypt, HTTP-01) issues certificates for DNS names only.`,
        ['Use a DNS name that points at this host, e.g. --domain edge-1.example.com', 'Or keep the IP with a self-signed certificate: --tls internal'],
        'INVALID_DOMAIN',
      );
    }
    return { domain: bare.toLowerCase(), kind: ipVersion === 4 ? 'ipv4' : 'ipv6', notes };
  }
  if (/[:[\]]/.test(input)) throw bad(`it contains ${describeChar(input.match(/[:[\]]/)![0])} (give the host name without a port or brackets)`);

  let domain = input.toLowerCase();
  const changes = domain !== input ? ['lower-cased'] : [];
  if (domain.endsWith('.') && !domain.endsWith('..')) {
    domain = domain.slice(0, -1);
    changes.push('trailing dot removed');
  }
  if (changes.length) notes.push(`--domain ${show(input)} normalised to ${domain} (${changes.join(', ')}).`);
  if (domain.length > 253) throw bad(`it is ${domain.length} characters long (at most 253)`);
  const labels = domain.split('.');
  for (const label of labels) {
    if (label === '') throw bad('it has an empty label (a leading dot or two dots in a row)');
    if (label.length > 63) throw bad(`the label "${label.slice(0, 20)}…" is ${label.length} characters long (at most 63)`);
    if (!LABEL.test(label)) throw bad(`the label "${label}" starts or ends with a hyphen`);
  }
  if (labels.every((l) => /^\d+$/.test(l))) throw bad('it looks like an IP address but is not one');
  if (tls === 'acme') {
    if (labels.length < 2) {
      throw usageError(`--domain ${show(input)} is a single-label name: ACME (Let's Encrypt) needs a public DNS name.`, ['Use a fully qualified name, e.g. --domain edge-1.example.com', 'Or use a self-signed certificate: --tls internal'], 'INVALID_DOMAIN');
    }
    const tld = labels[labels.length - 1];
    if (/^\d+$/.test(tld)) throw bad('its last label is numeric');
    if (RESERVED_TLDS.has(tld)) {
      throw usageError(`--domain ${show(input)} is under the reserved ".${tld}" domain: no public CA issues certificates for it.`, ['Use a public DNS name that points at this host', 'Or use a self-signed certificate: --tls internal'], 'INVALID_DOMAIN');
    }
  }
  return { domain, kind: 'dns', notes };
}

const EMAIL_LOCAL = /^[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?$/;

/**
 * --email (the ACME account address): local@domain with a conservative character set —
 * letters, digits and `. _ % + -` in the local part, a host name of at least two labels after @.
 * No whitespace, braces, quotes, `$`, `#` or backslashes: it is written into the Caddyfile and .edge.env.
 */
export function validateEmail(input: string): string {
  const bad = (why: string) =>
    usageError(`--email ${show(input)} is not a valid email address: ${why}.`, ['Give the address the certificate authority may write to, e.g. --email ops@example.com'], 'INVALID_EMAIL');
  if (input === '') throw bad('it is empty');
  for (const c of input) {
    if (!/[A-Za-z0-9.@_%+-]/.test(c)) throw bad(`it contains ${describeChar(c)}`);
  }
  if (input.length > 254) throw bad(`it is ${input.length} characters long (at most 254)`);
  const at = input.indexOf('@');
  if (at < 0) throw bad('it has no @');
  if (input.indexOf('@', at + 1) >= 0) throw bad('it has more than one @');
  const local = input.slice(0, at);
  const host = input.slice(at + 1).toLowerCase();
  if (!local) throw bad('nothing before the @');
  if (!host) throw bad('nothing after the @');
  if (local.includes('..') || !EMAIL_LOCAL.test(local)) throw bad(`"${local}" is not a valid mailbox name (no leading, trailing or double dots; at most 64 characters)`);
  const labels = host.split('.');
  if (labels.length < 2 || labels.some((l) => !LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1])) {
    throw bad(`"${host}" is not a mail domain`);
  }
  return `${local}@${host}`;
}

const TOKEN = /^[A-Za-z0-9._~+/=:-]+$/;

/** --token (the enrollment token): printable, no whitespace, quotes, `$` or `#`. Never echoed. */
export function validateToken(input: string): string {
  if (input === '') return '';
  const bad = (why: string) =>
    usageError(`--token is not a valid enrollment token: ${why}.`, ['Paste the token exactly as `frameworks admin bootstrap-tokens create --kind edge_node` printed it'], 'INVALID_TOKEN');
  if (input.length > 4096) throw bad(`it is ${input.length} characters long (at most 4096)`);
  if (!TOKEN.test(input)) {
    const c = [...input].find((ch) => !/[A-Za-z0-9._~+/=:-]/.test(ch))!;
    throw bad(`it contains ${describeChar(c)} (tokens are letters, digits and . _ ~ + / = : -)`);
  }
  return input;
}

const NODE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** --node-name (Helmsman's NODE_NAME): lower-case letters, digits and hyphens, at most 63. */
export function validateNodeName(input: string): string {
  const v = input.toLowerCase();
  if (!NODE_NAME.test(v)) {
    throw usageError(`--node-name ${show(input)} is not a valid node name: use lower-case letters, digits and hyphens (at most 63, starting with a letter or digit).`, ['e.g. --node-name edge-ams-1'], 'INVALID_NODE_NAME');
  }
  return v;
}

/** The default node name: the first label of the domain, or `edge-<ip with dashes>`. */
export function defaultNodeName(domain: DomainCheck): string {
  if (domain.kind === 'dns') return domain.domain.split('.')[0].slice(0, 63).replace(/-+$/, '') || 'edge';
  return `edge-${domain.domain.replace(/[.:]+/g, '-')}`.replace(/-+$/, '').slice(0, 63);
}

/** --shm-size: a Docker byte size such as 1g, 512m or 1073741824 (lower-cased). */
export function validateShmSize(input: string): string {
  const v = input.toLowerCase();
  if (!/^[1-9][0-9]{0,15}[bkmg]?$/.test(v)) {
    throw usageError(`--shm-size ${show(input)} is not a size: use a number with an optional unit b, k, m or g (e.g. 1g, 512m).`, ['e.g. --shm-size 2g'], 'INVALID_SHM_SIZE');
  }
  return v;
}

/** --project: a Docker Compose project name (the SDK's one rule). */
export function validateProject(input: string): string {
  return checkProjectName(input, '--project', '--project frameworks-edge');
}

/** --bind: the IPv4 address the published ports listen on; 0.0.0.0 means every address (IPv4 and IPv6). */
export function validateBind(input: string): string {
  if (isIP(input) !== 4) {
    throw usageError(`--bind ${show(input)} is not an IPv4 address.`, ['Use 0.0.0.0 (every address, IPv4 and IPv6) or one address of this host, e.g. --bind 127.0.0.1'], 'INVALID_BIND');
  }
  return input;
}

export function validatePorts(http: number, https: number): void {
  if (http === https) {
    throw usageError(`--http-port and --https-port are both ${http}.`, ['Give two different ports, e.g. --http-port 8080 --https-port 8443'], 'INVALID_PORT');
  }
}

/** A value about to be written as KEY=value in .edge.env (the SDK's templates check it). */
export { isEnvSafe } from '@frameworks/sdk/edge-templates';
