/** Offline (airgap) bundles: `@frameworks/sdk/bundle` (loads the tar package only when imported). */
export * from './format.js';
export { createBundle, type CreateBundleInput, type CreateProgress, type CreatedBundle, type ExtraMember } from './create.js';
export { readBundle, type OpenedBundle } from './read.js';
export { verifyBundle, type SignatureState, type VerifiedBundle } from './verify.js';
export { loadBundle, bundleLoadedOn, bundleMappingDir, mappingFile, type BundleMapping, type LoadBundleInput, type LoadReport, type LoadedImage } from './load.js';
export { signBundleManifest } from './sign.js';
export type { SpaceCheck } from './space.js';
