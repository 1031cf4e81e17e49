/** Termination: end the findings, by process group where safe. (Stub: issue 4 replaces this.) */
import type { Finding } from '../engine/findings.js';
import type { Termination, TerminateOptions } from './types.js';

export * from './types.js';

export async function terminate(findings: readonly Finding[], options: TerminateOptions): Promise<Termination> {
  void options;
  return {
    results: findings.map((f) => ({ pid: f.process.pid, start: f.process.start, outcome: 'reported', signals: [], via: 'none' })),
    added: [],
    durationMs: 0,
  };
}
