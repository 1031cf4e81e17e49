/**
 * Waiting for processes to end: poll often, return as soon as all are dead.
 *
 * There is no portable way to wait(2) for a process that is not our child
 * (pidfd_open + poll is Linux ≥ 5.3 and not in Node), so we poll /proc. At
 * 20 ms a cooperative leak costs one poll after it exits, and 300 stat reads
 * per poll are far below a millisecond of work.
 */
import { stillRunning } from './probe.js';
import type { Target } from './signals.js';

export const DEFAULT_POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with the targets still running at `deadline`, or [] as soon as none is. A zombie counts as dead. */
export async function waitForEnd<T extends Target>(targets: readonly T[], deadline: number, pollMs = DEFAULT_POLL_MS): Promise<T[]> {
  let running = targets.filter((t) => stillRunning(t.pid, t.start));
  while (running.length > 0) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(pollMs, left));
    running = running.filter((t) => stillRunning(t.pid, t.start));
  }
  return running;
}
