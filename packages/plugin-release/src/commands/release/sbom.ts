import { Args, Flags } from '@oclif/core';
import { FrameworksCommand, loadVerifyKey, renderTable } from '@frameworks/cli-kit';
import { NO_TLOG_NOTE, usageError } from '@frameworks/sdk';

export default class ReleaseSbom extends FrameworksCommand<typeof ReleaseSbom> {
  static override summary = "Show an image's SPDX SBOM, after verifying its cosign attestation.";
  static override description = `Fetch the SPDX SBOM attached to an image as a cosign attestation (cosign attest --type spdxjson), verify it, then show it.

The attestation is looked up in both formats cosign writes: the classic sha256-<hex>.att tag (a DSSE envelope) and a Sigstore bundle referrer. Its DSSE signature (PAE encoding) must verify with the key (--key, else the context's release.public_key) and its subject must name exactly the image's digest BEFORE anything of the document is shown; no transparency log is consulted.

-o table lists the packages (name, version, licence); -o spdx-json prints the SPDX document. --output-file writes the SPDX document to a file instead (temp file + rename). Missing: exit 1 SBOM_MISSING; not signed by the key: SBOM_INVALID; for another digest: DIGEST_MISMATCH.`;

  static override examples = [
    {
      description: 'List the packages of an image',
      command: '<%= config.bin %> release sbom registry.example.com/edge/helmsman@sha256:<digest> --key cosign.pub',
    },
    {
      description: 'Save the verified SPDX document',
      command: '<%= config.bin %> release sbom registry.example.com/edge/helmsman@sha256:<digest> --key cosign.pub --output-file helmsman.spdx.json',
    },
  ];

  static override args = {
    image: Args.string({ required: true, description: 'Image: NAME@sha256:… (a NAME:TAG is resolved to its digest first).' }),
  };

  static override flags = {
    // -o picks what is printed, as the issue and `cosign download sbom` users expect: the packages or the SPDX document.
    output: Flags.string({ char: 'o', aliases: ['format'], options: ['table', 'spdx-json'], default: 'table', description: 'table: the packages; spdx-json: the SPDX document (--json still gives the JSON envelope).' }),
    'output-file': Flags.string({ description: 'Write the verified SPDX document (JSON) to this file.' }),
    key: Flags.string({ description: "Public key (PEM, cosign.pub); default: the context's release.public_key." }),
    'insecure-registry': Flags.string({ multiple: true, description: 'Registry (host:port) to reach over plain HTTP besides loopback. Repeatable.' }),
  };

  async run() {
    const f = this.flags;
    const { imagesFromFlags, registryOptions } = await import('../../lib/images.js');
    const [image] = imagesFromFlags([this.args.image], 'image');
    // The context (config file, schema) is read only when --key does not name the key.
    const ctx = f.key ? undefined : await this.context().catch(() => undefined);
    const loaded = await loadVerifyKey(f.key, ctx?.config, ctx?.name);
    if (!loaded) {
      const hints = ['frameworks release sbom <image@digest> --key ./cosign.pub', 'frameworks context set <ctx> release.public_key ./cosign.pub'];
      throw usageError('No public key to verify the SBOM with.', hints, 'RELEASE_KEY_MISSING');
    }
    const { fetchVerifiedSbom, writeFileAtomic } = await import('@frameworks/sdk');
    const sbom = await fetchVerifiedSbom(image!, loaded.key, registryOptions(f['insecure-registry']));
    this.info(`SBOM of ${sbom.image}@${sbom.digest}: attestation (${sbom.format}) signed by key ${sbom.key_fingerprint}, digest matched. ${NO_TLOG_NOTE}`);
    const text = `${JSON.stringify(sbom.document, null, 2)}\n`;
    if (f['output-file']) {
      await writeFileAtomic(f['output-file'], text, 0o644);
      this.success(`Wrote ${f['output-file']} (${sbom.packages.length} packages).`);
    } else if (!this.jsonEnabled()) {
      if (f.output === 'spdx-json') process.stdout.write(text);
      else this.out(renderTable(sbom.packages, [
        { header: 'package', get: (p) => p.name, id: true },
        { header: 'version', get: (p) => p.version ?? '-' },
        { header: 'licence', get: (p) => p.license ?? '-' },
      ]));
    }
    return {
      image: sbom.image,
      digest: sbom.digest,
      format: sbom.format,
      key_fingerprint: sbom.key_fingerprint,
      transparency_log: 'not consulted' as const,
      packages: sbom.packages,
      output_file: f['output-file'] ?? null,
      ...(f.output === 'spdx-json' && !f['output-file'] ? { document: sbom.document } : {}),
    };
  }
}
