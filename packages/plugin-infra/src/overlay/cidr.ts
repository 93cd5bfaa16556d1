/** IPv4 CIDR blocks: parse, contain, overlap, and Terraform's cidrsubnet() for the default subnets. */

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  text: string;
}

function parseIp(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

const ipText = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
const size = (prefix: number) => 2 ** (32 - prefix);

/** "10.0.0.0/16" → Cidr; undefined when it does not parse or has host bits set (10.0.0.1/16). */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  if (ip % size(prefix) !== 0) return undefined;
  return { base: ip, prefix, text };
}

/** Why `text` is not a CIDR block, for the error message. */
export function cidrProblem(text: string): string {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m || parseIp(m[1]) === undefined || Number(m[2]) > 32) return `"${text}" is not an IPv4 CIDR block (a.b.c.d/n)`;
  const ip = parseIp(m[1])!;
  const prefix = Number(m[2]);
  return `"${text}" has host bits set (the block is ${ipText(ip - (ip % size(prefix)))}/${prefix})`;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner.prefix) <= outer.base + size(outer.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b.prefix) && b.base < a.base + size(a.prefix);
}

/** Terraform's cidrsubnet(prefix, newbits, netnum). */
export function cidrSubnet(parent: Cidr, newbits: number, netnum: number): string {
  const prefix = parent.prefix + newbits;
  if (prefix > 32 || netnum >= 2 ** newbits) throw new RangeError(`cidrsubnet(${parent.text}, ${newbits}, ${netnum}) does not fit`);
  return `${ipText(parent.base + netnum * size(prefix))}/${prefix}`;
}
