/**
 * One look at one process, right before we act on it.
 *
 * Linux: a single read of /proc/PID/stat gives state, start ticks, parent and
 * process group in one consistent snapshot (proc(5)). Elsewhere we only have
 * kill(pid, 0) (kill(2): "If sig is 0, then no signal is sent, but existence
 * and permission checks are still performed"), which cannot tell a zombie or a
 * recycled pid from the original: `start` and `state` are then unknown.
 */
import { isDeadState, parseIfPresent, parseStatBytes } from '../proc/index.js';

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
    const stat = parseIfPresent(`/proc/${pid}/stat`, parseStatBytes, true);
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

/**
 * Whether `pid` still runs as the process that started at `start`. A different
 * start stamp means the pid was recycled: the process we meant is dead.
 */
export function stillRunning(pid: number, start: number): boolean {
  const now = probe(pid);
  if (!now || isDeadState(now.state)) return false;
  return now.start === undefined || now.start === start;
}
