import { IMAGE_DIGEST_PATTERN, IMAGE_NAME_PATTERN, IMAGE_TAG_PATTERN } from './image-ref.js';

const image = {
  type: 'object',
  additionalProperties: false,
  required: ['image', 'tag'],
  properties: {
    image: { type: 'string', pattern: IMAGE_NAME_PATTERN },
    tag: { type: 'string', pattern: IMAGE_TAG_PATTERN },
    digest: { type: 'string', pattern: IMAGE_DIGEST_PATTERN },
  },
} as const;

export const CHANNEL_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';

/**
 * Edge release manifest, schema_version 1: channel → images of the three services.
 *
 *   schema_version: 1
 *   channels:
 *     stable:
 *       version: "2025.09.1"            # optional release label
 *       images:
 *         caddy:      { image: caddy, tag: "2.10.0", digest: "sha256:…" }
 *         mistserver: { image: livepeerframeworks/mistserver, tag: "…" }
 *         helmsman:   { image: livepeerframeworks/helmsman, tag: "…" }
 */
export const releaseManifestSchema = {
  $id: 'https://frameworks.dev/schemas/edge-release-manifest-1.json',
  type: 'object',
  additionalProperties: false,
  required: ['schema_version', 'channels'],
  properties: {
    $schema: { type: 'string' },
    schema_version: { const: 1 },
    channels: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: CHANNEL_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['images'],
        properties: {
          version: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$' },
          images: {
            type: 'object',
            additionalProperties: false,
            required: ['caddy', 'mistserver', 'helmsman'],
            properties: { caddy: image, mistserver: image, helmsman: image },
          },
        },
      },
    },
  },
} as const;
