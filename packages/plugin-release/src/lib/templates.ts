import type { PinnedImage } from '@frameworks/sdk';
import type { ExtraMember } from '@frameworks/sdk/bundle';

/**
 * The edge stack's files as the bundle carries them (templates/): rendered for an example site, with
 * the images under the local tags `bundle load` gives them. `edge init --bundle` renders the real ones.
 */
export async function edgeTemplateMembers(images: PinnedImage[], release: { channel?: string; version?: string }): Promise<ExtraMember[]> {
  const { localTag } = await import('@frameworks/sdk/bundle');
  const { renderEdgeFiles } = await import('@frameworks/sdk/edge-templates');
  const ref = (svc: string) => {
    const p = images.find((i) => i.service === svc);
    return p ? localTag(p) : `${svc}:missing-from-bundle`;
  };
  const files = await renderEdgeFiles({
    domain: 'edge.example.com',
    domainKind: 'dns',
    email: 'ops@example.com',
    tls: 'acme',
    token: '',
    nodeName: 'edge',
    foghorn: { controlAddr: 'foghorn.example.com:18019', httpBase: 'https://foghorn.example.com', tls: true },
    release: { channel: release.channel ?? 'stable', ...(release.version ? { version: release.version } : {}), refs: { caddy: ref('caddy'), mistserver: ref('mistserver'), helmsman: ref('helmsman') } },
    mistShmSize: '1g',
    nofile: 1_048_576,
    bind: '0.0.0.0',
    httpPort: 80,
    httpsPort: 443,
    project: 'frameworks-edge',
  });
  // .edge.env holds secrets by design; the bundle carries only the example.
  return files.filter((f) => !f.secret).map((f) => ({ path: `templates/${f.name}`, content: f.content }));
}
