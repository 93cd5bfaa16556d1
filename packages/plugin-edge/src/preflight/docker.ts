import type { Executor } from '@frameworks/sdk';
import { ENGINE_FIX, engineAddress, engineUnreachable } from '@frameworks/sdk/compose';
import { firstLine, probe, type ProbeResult } from '../lib/probe.js';
import { check, type Check } from './types.js';

export interface DockerInfo {
  reachable: boolean;
  missing?: boolean;
  serverVersion?: string;
  rootDir?: string;
  error?: string;
  /** Where the engine was looked for (unreachable engines only). */
  address?: string;
}

/** Oldest engine the edge templates are tested with (Debian 12's docker.io). */
export const MIN_ENGINE = '20.10';

/**
 * `docker info --format '{{json .}}'`. With the daemon down the client still prints its JSON,
 * with ServerErrors set and exit 1, so the exit code and ServerErrors both count.
 */
export function parseDockerInfo(r: Pick<ProbeResult, 'ok' | 'stdout' | 'stderr' | 'missing' | 'timedOut'>, dockerHost?: string): DockerInfo {
  if (r.missing) return { reachable: false, missing: true, error: 'docker not found' };
  if (r.timedOut) return { reachable: false, error: 'docker info timed out' };
  let doc: { ServerVersion?: string; DockerRootDir?: string; ServerErrors?: string[] } | undefined;
  try {
    doc = JSON.parse(r.stdout.trim().split('\n')[0] || 'null') ?? undefined;
  } catch {
    doc = undefined;
  }
  const serverError = doc?.ServerErrors?.find(Boolean);
  if (!r.ok || !doc?.ServerVersion || serverError) {
    const error = serverError || firstLine(r.stderr) || 'docker info failed';
    return { reachable: false, error, address: engineAddress(`${serverError ?? ''}\n${r.stderr}`, dockerHost) };
  }
  return { reachable: true, serverVersion: doc.ServerVersion, rootDir: doc.DockerRootDir };
}

export function versionAtLeast(v: string, min: string): boolean {
  const a = v.split(/[.+-]/).map((x) => parseInt(x, 10));
  const b = min.split('.').map((x) => parseInt(x, 10));
  for (let i = 0; i < b.length; i++) {
    if ((a[i] || 0) !== b[i]) return (a[i] || 0) > b[i];
  }
  return true;
}

export function evaluateDocker(info: DockerInfo): Check {
  const threshold = `engine reachable, ≥ ${MIN_ENGINE}`;
  if (info.missing) {
    return check('docker', 'docker', 'fail', 'docker CLI not found', threshold, 'Install Docker Engine (Debian/Ubuntu: apt-get install docker.io, or https://docs.docker.com/engine/install/).', 'curl -fsSL https://get.docker.com | sh');
  }
  if (!info.reachable) {
    const perm = /permission denied/i.test(info.error ?? '');
    const hint = perm
      ? 'The user cannot use the Docker socket: run as root or add the user to the docker group (usermod -aG docker $USER, then log in again).'
      : `Start the engine or point DOCKER_HOST at it (docker said: ${info.error}). The checks that need the engine are skipped.`;
    const value = perm ? `permission denied on the Docker socket ${info.address ?? ''}`.trim() : engineUnreachable(info.address ?? 'unix:///var/run/docker.sock');
    return check('docker', 'docker', 'fail', value, threshold, hint, perm ? undefined : ENGINE_FIX);
  }
  const value = `Docker ${info.serverVersion}, data root ${info.rootDir ?? '?'}`;
  if (!versionAtLeast(info.serverVersion!, MIN_ENGINE)) {
    return check('docker', 'docker', 'warn', value, threshold, `Docker ${info.serverVersion} is older than ${MIN_ENGINE}: upgrade the engine.`);
  }
  return check('docker', 'docker', 'pass', value, threshold);
}

/** "Docker Compose version v2.26.1", "docker-compose version 1.29.2, build unknown". */
export function parseComposeVersion(stdout: string): string | undefined {
  return /version v?(\d+\.\d+(?:\.\d+)?[^\s,]*)/i.exec(stdout)?.[1];
}

export function evaluateCompose(v2: Pick<ProbeResult, 'ok' | 'stdout'>, v1: Pick<ProbeResult, 'ok' | 'stdout'>): Check {
  const threshold = 'Compose v2 (docker compose), or v1';
  const v2v = v2.ok ? parseComposeVersion(v2.stdout) : undefined;
  const v1v = v1.ok ? parseComposeVersion(v1.stdout) : undefined;
  if (v2v) return check('compose', 'docker', 'pass', `v2 ${v2v} (docker compose)${v1v ? `; v1 ${v1v} also installed` : ''}`, threshold);
  if (v1v) {
    return check(
      'compose',
      'docker',
      'warn',
      `v1 ${v1v} (docker-compose)`,
      threshold,
      'Compose v1 is end-of-life: the edge commands work with it, but install the v2 plugin (apt-get install docker-compose-plugin, or docker-compose-v2).',
    );
  }
  return check('compose', 'docker', 'fail', 'neither docker compose nor docker-compose', threshold, 'Install the Compose v2 plugin: apt-get install docker-compose-plugin (Docker repo) or docker-compose-v2 (Ubuntu).');
}

export async function checkCompose(executor: Executor): Promise<Check> {
  const v2 = await probe(executor, ['docker', 'compose', 'version'], { timeoutMs: 10_000 });
  if (parseComposeVersion(v2.stdout) && v2.ok) return evaluateCompose(v2, { ok: false, stdout: '' });
  // v1 (Python) takes ~2 s of CPU to print its version: ask only when v2 is absent.
  return evaluateCompose(v2, await probe(executor, ['docker-compose', 'version'], { timeoutMs: 10_000 }));
}
