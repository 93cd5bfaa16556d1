import type { ServiceImage } from '@frameworks/sdk/compose';
import { describe, expect, it } from 'vitest';
import { diffServices, driftedServices, parseManifestDigest, rollbackCommands, rollbackOneLiner } from '../src/update/plan.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const ID1 = `sha256:${'a'.repeat(64)}`;
const ID2 = `sha256:${'b'.repeat(64)}`;
const IDC = `sha256:${'c'.repeat(64)}`;
const REF = '127.0.0.1:5000/edge/helmsman:current';

const svc = (service: string, image: string, imageId: string, digest?: string): ServiceImage => ({
  service,
  container: `p-${service}-1`,
  state: 'running',
  image,
  imageId,
  pinned: digest ? `${image.split(':').slice(0, -1).join(':')}@${digest}` : imageId,
  ...(digest ? { digest } : {}),
});

describe('edge update: before/after per service', () => {
  it('pairs the records by service and marks what changed', () => {
    const before = [svc('helmsman', REF, ID1, D1), svc('caddy', 'caddy:2.6.2', IDC)];
    const after = [svc('caddy', 'caddy:2.6.2', IDC), svc('helmsman', REF, ID2, D2), svc('new', 'x:1', ID1)];
    expect(diffServices(before, after)).toEqual([
      { service: 'caddy', image: 'caddy:2.6.2', before: { image_id: IDC, digest: null }, after: { image_id: IDC, digest: null }, changed: false },
      { service: 'helmsman', image: REF, before: { image_id: ID1, digest: D1 }, after: { image_id: ID2, digest: D2 }, changed: true },
      { service: 'new', image: 'x:1', before: null, after: { image_id: ID1, digest: null }, changed: true },
    ]);
  });

  it('drift: a reference that names another image now, or a container that runs another one', () => {
    const before = [svc('helmsman', REF, ID1, D1), svc('caddy', 'caddy:2.6.2', IDC)];
    // pulled, not yet restarted: the tag moved
    expect(driftedServices(before, new Map([[REF, ID2], ['caddy:2.6.2', IDC]]), before).map((s) => s.service)).toEqual(['helmsman']);
    // restarted on the new image
    expect(driftedServices(before, new Map([[REF, ID1], ['caddy:2.6.2', IDC]]), [svc('helmsman', REF, ID2), svc('caddy', 'caddy:2.6.2', IDC)]).map((s) => s.service)).toEqual(['helmsman']);
    expect(driftedServices(before, new Map([[REF, ID1], ['caddy:2.6.2', IDC]]), before)).toEqual([]);
  });

  it('the rollback commands: docker tag per moved reference, then up -d with the project\'s exact files', () => {
    const project = { name: 'fw-edge', workingDir: '/opt/frameworks edge', files: ['/opt/frameworks edge/docker-compose.edge.yml'], envFile: '/opt/frameworks edge/.edge.env' };
    const cmds = rollbackCommands(project, { argv: ['docker', 'compose'], dockerArgv: ['docker'] }, [svc('helmsman', REF, ID1, D1), svc('pinned', `x@${D2}`, ID2)]);
    expect(cmds).toEqual([
      `docker tag ${ID1} ${REF}`,
      "docker compose -p fw-edge --project-directory '/opt/frameworks edge' -f '/opt/frameworks edge/docker-compose.edge.yml' --env-file '/opt/frameworks edge/.edge.env' up -d",
    ]);
    // sudo stacks and v1
    expect(rollbackCommands(project, { argv: ['sudo', '-n', 'docker-compose'], dockerArgv: ['sudo', '-n', 'docker'] }, [svc('helmsman', REF, ID1)])[0]).toBe(`sudo -n docker tag ${ID1} ${REF}`);
    // Nothing movable (pinned by digest): nothing to run.
    expect(rollbackCommands(project, { argv: ['docker', 'compose'], dockerArgv: ['docker'] }, [svc('pinned', `x@${D2}`, ID2)])).toEqual([]);
    expect(rollbackOneLiner(['a b', 'c'], { remote: false, host: 'local' })).toBe('a b && c');
    expect(rollbackOneLiner(['docker tag x y', 'docker compose up -d'], { remote: true, host: 'ops@edge-1' })).toBe("ssh ops@edge-1 'docker tag x y && docker compose up -d'");
  });

  it('reads the digest of `docker manifest inspect --verbose` (none for a manifest list)', () => {
    expect(parseManifestDigest(JSON.stringify({ Ref: REF, Descriptor: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: D1, size: 528 } }))).toBe(D1);
    expect(parseManifestDigest(JSON.stringify([{ Descriptor: { digest: D1 } }, { Descriptor: { digest: D2 } }]))).toBeUndefined();
    expect(parseManifestDigest('no such manifest')).toBeUndefined();
  });
});
