/** Moved to @frameworks/sdk/edge-templates; re-exported so edge imports stay as they were. */
export * from '@frameworks/sdk/edge-templates';
