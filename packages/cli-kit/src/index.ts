export * from './command.js';
export * from './errors.js';
export * from './output/style.js';
export * from './output/table.js';
export * from './output/safe-text.js';
export { inputRequired, interrupted, type PromptContext } from './prompts.js';
export * from './hosts-command.js';
export * from './interrupts.js';
export * from './host-lock.js';
