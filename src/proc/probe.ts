/**
 * One look at one process, right before we act on it, and the one test of
 * whether it is still the process we mean (README "Termination", "Platforms").
 *
 * Linux: a single read of /proc/PID/stat gives state, start ticks, parent and
 * process group in one consistent snapshot (proc(5)). Elsewhere we only have
 * kill(pid, 0) (kill(2): "If sig is 0, then no signal is sent, but existence
 * and permission checks are still performed"), which cannot tell a zombie or a
 * recycled pid from the original: `start` and `state` are then unknown.
 */
import { readStat } from './linux.js';
import { type Identity, isDeadState } from './types.js';

export interface Probe {
  readonly state: string | undefined;
  /** Start stamp in /proc ticks; undefined where the platform cannot tell. */
  readonly start: number | undefined;
  readonly ppid: number | undefined;
  readonly pgid: number | undefined;
  readonly sid: number | undefined;
}

const onLinux = process.platform === 'linux';

/** undefined: no process has this pid any more. */
export function probe(pid: number): Probe | undefined {
  if (onLinux) {
    const stat = readStat(pid);
    return stat
      ? { state: stat.state, start: stat.startTicks, ppid: stat.ppid, pgid: stat.pgid, sid: stat.sid }
      : undefined;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  return { state: undefined, start: undefined, ppid: undefined, pgid: undefined, sid: undefined };
}

/** The process we meant runs no more: its pid is free, or another process's (a different start stamp), or it is dead. */
export type NotRunning =
  | { readonly kind: 'gone' }
  | { readonly kind: 'reused'; readonly start: number }
  | { readonly kind: 'zombie'; readonly reaper: number | undefined };

export type Look = NotRunning | { readonly kind: 'running'; readonly now: Probe };

export function look(target: Identity): Look {
  const now = probe(target.pid);
  if (!now) return { kind: 'gone' };
  if (now.start !== undefined && now.start !== target.start) return { kind: 'reused', start: now.start };
  if (isDeadState(now.state)) return { kind: 'zombie', reaper: now.ppid };
  return { kind: 'running', now };
}

/** Whether `target` still runs: not gone, not a zombie, and its pid not recycled. */
export const stillRunning = (target: Identity): boolean => look(target).kind === 'running';
