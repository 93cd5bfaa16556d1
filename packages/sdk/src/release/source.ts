import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { tildify } from '../paths.js';

/**
 * Where releases come from. The layout is upstream's gitops repository:
 *
 *   channels/<channel>.yaml   → platform_version, manifest (releases/<version>.yaml), updated_at
 *   releases/<version>.yaml   the release manifest (+ <file>.sig: `cosign sign-blob` signature beside it)
 *
 * A source is a folder, an https:// URL (http:// only on loopback), a git repository (a git URL,
 * file://…, git+https://…, user@host:path; `#ref` picks a branch or tag), a single manifest file, or
 * the manifest built into the CLI.
 */
export type ReleaseSourceKind = 'folder' | 'file' | 'http' | 'git' | 'built-in';

export interface ParsedReleaseSource {
  kind: ReleaseSourceKind;
  /** As the user gave it (flag or context value). */
  spec: string;
  /** Absolute path, URL (without #ref) or "built-in". */
  location: string;
  /** git: the branch or tag after `#`. */
  ref?: string;
}

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])$/i;

function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK.test(url.hostname) || url.hostname === '::1';
}

/** Classify a source spec; a path that does not exist or a plain-HTTP remote URL is exit 2. */
export function parseReleaseSource(spec: string, cwd = process.cwd()): ParsedReleaseSource {
  const s = spec.trim();
  if (!s) throw usageError('The release source is empty.', ['--release-source ./releases', 'frameworks context set <ctx> release.source https://…'], 'RELEASE_SOURCE_INVALID');
  if (s === 'built-in' || s === 'builtin') return { kind: 'built-in', spec: s, location: 'built-in' };
  const hash = s.indexOf('#');
  const [bare, ref] = hash > 0 && !/^[./~]/.test(s) ? [s.slice(0, hash), s.slice(hash + 1) || undefined] : [s, undefined];
  const git = (location: string): ParsedReleaseSource => ({ kind: 'git', spec: s, location, ...(ref ? { ref } : {}) });
  if (bare.startsWith('git+')) return git(bare.slice(4));
  if (/^(?:git|ssh|file):\/\//i.test(bare)) return git(bare);
  if (/^https?:\/\//i.test(bare)) {
    let url: URL;
    try {
      url = new URL(bare);
    } catch {
      throw usageError(`Release source ${JSON.stringify(s)} is not a URL.`, ['--release-source https://releases.example.com/frameworks'], 'RELEASE_SOURCE_INVALID');
    }
    if (url.protocol === 'http:' && !isLoopbackUrl(url)) {
      throw usageError(
        `Release source ${s} is plain HTTP: releases are fetched over HTTPS (http:// only on this machine's loopback).`,
        [`--release-source ${s.replace(/^http:/i, 'https:')}`],
        'RELEASE_SOURCE_INSECURE',
      );
    }
    if (/\.git\/?$/.test(url.pathname)) return git(bare);
    return { kind: 'http', spec: s, location: bare.replace(/\/+$/, '') };
  }
  if (/^[\w.-]+@[\w.-]+:(?!\/\/)/.test(bare)) return git(bare);
  const path = isAbsolute(s) ? s : resolve(cwd, s.replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));
  if (!existsSync(path)) {
    throw usageError(`Release source ${tildify(path)}: no such folder or file.`, ['Give a folder with channels/ and releases/, a URL or a git repository', '--release-source ./releases'], 'RELEASE_SOURCE_NOT_FOUND');
  }
  return { kind: statSync(path).isDirectory() ? 'folder' : 'file', spec: s, location: path };
}

/** How output names a source: the path with ~, or the URL. */
export function describeSource(p: ParsedReleaseSource): string {
  if (p.kind === 'built-in') return 'the built-in release';
  if (p.kind === 'folder' || p.kind === 'file') return tildify(p.location);
  return p.ref ? `${p.location}#${p.ref}` : p.location;
}
