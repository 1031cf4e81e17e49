/** Host state (which jobs run here, and who owns them) and `strays sweep`. */
export * from './state-dir.js';
export * from './job-record.js';
export * from './registry.js';
export * from './jobs-dir.js';
export * from './owner.js';
export * from './boot.js';
export * from './plan.js';
export * from './sweep.js';
export * from './metrics.js';
export * from './sweep-output.js';
export * from './ci-systems.js';
export * from './keeper.js';
