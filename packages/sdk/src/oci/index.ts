export * from './media-types.js';
export * from './registry.js';
