import type { LoadedRelease, ManifestSignature, ReleaseOrigin } from '@frameworks/sdk';

/** sha256:0123456789ab… — the digest as a table shows it (JSON keeps it whole). */
export function shortDigest(d: string | null | undefined): string {
  if (!d) return '(none)';
  const [algo, hex] = d.split(':');
  return `${algo}:${hex.slice(0, 12)}…`;
}

/** The manifest signature as a sentence; no transparency log is consulted (airgapped sites have none). */
export function describeSignature(s: ManifestSignature): string {
  switch (s.state) {
    case 'verified':
      return `verified with key ${s.key} (no transparency log)`;
    case 'not-checked':
      return 'not checked: no key configured (release.public_key, --key)';
    case 'unsigned':
      return 'unsigned (no .sig beside the manifest)';
    default:
      return 'built into the CLI (no signature)';
  }
}

export function describeOrigin(o: Pick<ReleaseOrigin, 'kind' | 'source' | 'offline'>): string {
  const kind = o.kind === 'built-in' ? 'built-in release (no release source set)' : `${o.source} (${o.kind})`;
  return o.offline ? `${kind}, OFFLINE: cached copy${o.offline.cached_at ? ` of ${o.offline.cached_at}` : ''}` : kind;
}

/** The JSON of a release's origin and manifest signature, shared by show and diff. */
export function originJson(r: LoadedRelease) {
  return {
    kind: r.origin.kind,
    source: r.origin.source,
    manifest: r.origin.manifest,
    offline: r.origin.offline ? { reason: r.origin.offline.reason, cached_at: r.origin.offline.cached_at ?? null } : null,
  };
}

export function signatureJson(s: ManifestSignature) {
  return { state: s.state, key: s.key, file: s.file, transparency_log: false };
}
