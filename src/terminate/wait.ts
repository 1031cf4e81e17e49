/**
 * Waiting for processes to end (README "Order of signals", step 3). There is
 * no portable way to wait(2) for a process that is not our child (pidfd_open +
 * poll is Linux ≥ 5.3 and not in Node), so we poll. The first looks come
 * quickly: a process ends within a few milliseconds of SIGKILL or of a
 * cooperative SIGTERM, and a fixed 20 ms step made every termination wait a
 * whole step for it. 300 stat reads per look are far below a millisecond.
 */
import { type Identity, look, stillRunning } from '../proc/index.js';

export const DEFAULT_POLL_MS = 20;
/** The first look after the signal; each next one waits twice as long, up to pollMs. */
export const FIRST_POLL_MS = 1;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves with the targets still running at `deadline`, or [] as soon as none is. A zombie counts as dead.
 * `onStopped` gets the targets found stopped at a look (one stat read per target and look), to resume them.
 */
export async function waitForEnd<T extends Identity>(
  targets: readonly T[],
  deadline: number,
  pollMs = DEFAULT_POLL_MS,
  onStopped?: (stopped: T[]) => Promise<void>,
): Promise<T[]> {
  let running = targets.filter(stillRunning);
  let step = Math.min(FIRST_POLL_MS, pollMs);
  while (running.length > 0) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(step, left));
    step = Math.min(step * 2, pollMs);
    const looks = running.map((t) => [t, look(t)] as const);
    running = looks.filter(([, l]) => l.kind === 'running').map(([t]) => t);
    // Stopped by a signal: proc(5) state T (t, stopped by a tracer, is not ours to resume).
    const stopped = looks.filter(([, l]) => l.kind === 'running' && l.now.state === 'T').map(([t]) => t);
    if (stopped.length > 0) await onStopped?.(stopped);
  }
  return running;
}
