/**
 * Parser for /proc/PID/stat (proc(5)).
 *
 * Field 2 is the command name in parentheses, and the name may itself contain
 * spaces and `)` (a process may call itself "a) b"). proc(5) gives the rule:
 * split at the *last* `)` in the line; every field after it is space-separated.
 */
export interface StatFields {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** Kernel task flags (field 9); PF_KTHREAD marks kernel threads. */
  readonly flags: number;
  /** Clock ticks after boot (field 22). */
  readonly startTicks: number;
}

/** include/linux/sched.h: `#define PF_KTHREAD 0x00200000` (I am a kernel thread). */
export const PF_KTHREAD = 0x00200000;

export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // After ") ": field 3 (state) is rest[0], so field N is rest[N - 3]. Only fields up to 22 are
  // needed: scanning for them, rather than splitting all ~52, matters at thousands of processes a read.
  const rest: string[] = [];
  for (let at = close + 2; rest.length < 20; ) {
    const end = text.indexOf(' ', at);
    if (end < 0) {
      rest.push(text.slice(at));
      break;
    }
    rest.push(text.slice(at, end));
    at = end + 1;
  }
  const field = (n: number): number => Number(rest[n - 3]);
  const state = rest[0];
  const startTicks = field(22);
  if (!Number.isInteger(pid) || state === undefined || !Number.isFinite(startTicks)) return undefined;
  return {
    pid,
    comm,
    state,
    ppid: field(4),
    pgid: field(5),
    sid: field(6),
    flags: field(9),
    startTicks,
  };
}

export const isKernelThread = (s: StatFields): boolean => (s.flags & PF_KTHREAD) !== 0;
