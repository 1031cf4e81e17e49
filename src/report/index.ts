export * from './types.js';
export * from './placeholder.js';
