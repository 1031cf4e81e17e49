/** Reports: one document (types.ts, the JSON schema) and its renderers. */
export * from './annotations.js';
export * from './build.js';
export * from './console.js';
export * from './format.js';
export * from './json-file.js';
export * from './markdown.js';
export * from './summary.js';
export * from './types.js';
export * from './argv.js';
export * from './order.js';
export * from './redact.js';
