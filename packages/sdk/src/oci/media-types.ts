/** The manifest and artifact media types the registry client and the verifiers name. */
export const MediaType = {
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  DOCKER_MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  COSIGN_SIMPLE_SIGNING: 'application/vnd.dev.cosign.simplesigning.v1+json',
  DSSE_ENVELOPE: 'application/vnd.dsse.envelope.v1+json',
  SIGSTORE_BUNDLE_V03: 'application/vnd.dev.sigstore.bundle.v0.3+json',
} as const;

/** What a manifest GET accepts: every single-image and multi-image format a registry may hold. */
export const MANIFEST_ACCEPT = [MediaType.OCI_MANIFEST, MediaType.OCI_INDEX, MediaType.DOCKER_MANIFEST, MediaType.DOCKER_MANIFEST_LIST].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** An OCI/Docker image manifest or an index (the fields the CLI reads; the rest is kept in `raw`). */
export interface Manifest {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor & { artifactType?: string };
  layers?: Descriptor[];
  /** Index / manifest list only. */
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}
