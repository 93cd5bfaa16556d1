/** @frameworks/sdk/workspace — git clones placed all-or-nothing, built files moved into place, URL credentials masked. */
export { cloneRepository, gitProgressLine, installFile, makeDir, mtimeMs, placeFile, removePath, sameContent, type CloneOptions } from './git-clone.js';
export { maskUrl } from './url.js';
export { ToolVersionCache, findOnPath } from './tool-versions.js';
