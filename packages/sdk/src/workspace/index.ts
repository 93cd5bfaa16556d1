/** @frameworks/sdk/workspace — git clones placed all-or-nothing, built files moved into place, URL credentials masked. */
export { cloneRepository, gitProgressLine, makeDir, mtimeMs, placeFile, removePath, type CloneOptions } from './git-clone.js';
export { maskUrl } from './url.js';
