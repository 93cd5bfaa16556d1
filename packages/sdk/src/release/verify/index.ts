export * from './dsse.js';
export * from './gate.js';
export * from './image-signatures.js';
export * from './sbom.js';
