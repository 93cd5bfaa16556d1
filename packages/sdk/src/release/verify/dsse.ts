import { verify } from 'node:crypto';
import type { SigningKey } from '../signing-key.js';

/** A DSSE envelope (https://github.com/secure-systems-lab/dsse): what cosign attestations and Sigstore bundles carry. */
export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid?: string }[];
}

export interface InTotoStatement {
  _type?: string;
  subject?: { name?: string; digest?: Record<string, string> }[];
  predicateType?: string;
  predicate?: unknown;
}

/** DSSE's pre-authentication encoding: "DSSEv1 <len(type)> <type> <len(body)> <body>" (lengths in bytes). */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export function isDsseEnvelope(v: unknown): v is DsseEnvelope {
  const e = v as DsseEnvelope;
  return Boolean(e) && typeof e.payload === 'string' && typeof e.payloadType === 'string' && Array.isArray(e.signatures);
}

/** True when one of the envelope's signatures is the key's ECDSA (SHA-256) signature over PAE(type, payload). */
export function verifyDsse(envelope: DsseEnvelope, key: SigningKey): boolean {
  const message = pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  return envelope.signatures.some((s) => {
    const sig = Buffer.from(String(s.sig ?? ''), 'base64');
    if (sig.length === 0) return false;
    try {
      return verify('sha256', message, key.key, sig);
    } catch {
      return false;
    }
  });
}

/** The in-toto statement inside an envelope, or undefined when the payload is not one. */
export function statementOf(envelope: DsseEnvelope): InTotoStatement | undefined {
  try {
    const s = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as InTotoStatement;
    return s && typeof s === 'object' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the statement's subjects name exactly this sha256 digest. */
export function statementNames(statement: InTotoStatement, digest: string): boolean {
  const hex = digest.replace(/^sha256:/, '');
  return (statement.subject ?? []).some((s) => s?.digest?.sha256 === hex);
}
