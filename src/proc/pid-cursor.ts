/**
 * Which pids the kernel may have given to a new process since a moment: what
 * lets a re-read of the process table trust every other pid it already holds
 * (src/proc/reread.ts).
 *
 * Linux gives pids in a cycle (kernel/pid.c, alloc_pid → idr_alloc_cyclic):
 * the first free pid above the last one given, up to pid_max - 1, then again
 * from RESERVED_PIDS (300). A pid freed is not given again before that cursor
 * comes round to it. /proc/sys/kernel/ns_last_pid is the last pid given in the
 * reader's PID namespace (pid_namespaces(7)), so the pids given between two
 * readings lie on the arc from the first reading to the second, unless the
 * cursor went all the way round. Counted tasks bound that: the cursor passes
 * one position per new task and one per pid in use that it skips; with F tasks
 * created (/proc/stat `processes`: forks since boot, threads and every
 * namespace included) and T tasks at the first reading (/proc/loadavg), pids
 * in use are at most 3 (T + F) (a task's pid, and a process group or session
 * id its leader left behind), so it passes at most 4F + 3T positions; while
 * that is below pid_max - 300 it has not gone round. Otherwise `givenSince`
 * answers undefined and the caller reads everything. No proof, though: a fork
 * that fails after it took its pid (kernel/fork.c copy_process allocates it
 * before a cgroup's pids.max, CLONE_PIDFD's fd or a fatal signal can refuse
 * the fork) moves the cursor and counts in no `processes`, without privilege
 * (test/rescan-pid-reuse.live.test.ts); nor does a pid chosen with clone3
 * set_tid move it. README "Order of signals" says what a re-read then misses.
 */
import { procShowsOwnPidNamespace, readIfPresent } from './procfs.js';
import { wholeNumber } from './types.js';

/** kernel/pid.c: the cursor wraps to this pid, not to 1. */
const RESERVED_PIDS = 300;
/** Tasks that may have taken a pid but not yet counted in /proc/stat `processes` (copy_process counts last). */
const IN_FLIGHT = 1024;

export interface PidMark {
  /** ns_last_pid: the last pid given in this PID namespace. */
  readonly last: number;
  /** pid_max. */
  readonly max: number;
  /** /proc/stat `processes`: tasks created since boot. */
  readonly forks: number;
  /** /proc/loadavg: tasks that exist now (threads included). */
  readonly tasks: number;
}

/**
 * The pid cursor now, or undefined where it cannot be read, or where /proc is
 * not mounted for this process's own PID namespace (its `NStgid` names more
 * than one namespace: ns_last_pid would then count another namespace's pids).
 */
export function pidMark(procRoot = '/proc'): PidMark | undefined {
  try {
    if (!procShowsOwnPidNamespace(procRoot)) return undefined;
    const last = wholeNumber(readIfPresent(`${procRoot}/sys/kernel/ns_last_pid`)?.trim());
    const max = wholeNumber(readIfPresent(`${procRoot}/sys/kernel/pid_max`)?.trim());
    const forks = wholeNumber(/^processes (\d+)$/m.exec(readIfPresent(`${procRoot}/stat`) ?? '')?.[1]);
    const tasks = wholeNumber(readIfPresent(`${procRoot}/loadavg`)?.split(' ')[3]?.split('/')[1]);
    if (last === undefined || max === undefined || forks === undefined || tasks === undefined) return undefined;
    return { last, max, forks, tasks };
  } catch {
    return undefined; // not Linux, or /proc/sys not readable here
  }
}

/**
 * Whether a pid may have been given to a new process between `before` and
 * `after` (take `after` once the listing it guards is read); undefined when
 * the cursor may have gone all the way round, so any pid may have been.
 */
export function givenSince(before: PidMark, after: PidMark): ((pid: number) => boolean) | undefined {
  const forks = after.forks - before.forks + IN_FLIGHT;
  if (after.max !== before.max || forks < IN_FLIGHT) return undefined;
  if (4 * forks + 3 * before.tasks >= before.max - RESERVED_PIDS) return undefined;
  const from = before.last;
  const to = after.last;
  return to >= from ? (pid) => pid > from && pid <= to : (pid) => pid > from || pid <= to;
}
