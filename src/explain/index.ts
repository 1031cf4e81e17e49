/** Explanations for findings: what each leaked process holds and how it got there. */
export * from './ancestry.js';
export * from './explain.js';
export * from './fds.js';
export * from './net-table.js';
export * from './passwd.js';
export * from './places.js';
