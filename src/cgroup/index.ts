/**
 * Per-job cgroup isolation (README "Isolation: environment marker or per-job
 * cgroup"): find the cgroup2 mount, put the job in its own cgroup, tell
 * detection who is in it, freeze it, and remove it.
 */
export * from './files.js';
export * from './freeze.js';
export * from './isolation.js';
export * from './lifecycle.js';
export * from './members.js';
export * from './mount.js';
export * from './phases.js';
export * from './prune.js';
