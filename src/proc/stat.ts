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

const SPACE = 0x20;

/** A field as a number: decimal digits without making a string; anything else as Number() reads it. */
function numberAt(bytes: Buffer, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) return Number(bytes.toString('utf8', start, end));
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Parses the bytes of a read, without a string per field (test/helpers/stat-text.ts
 * is the string parser it is tested against): at thousands of processes a read, those strings were most of the
 * garbage a cold post step collects (README, Benchmark). `(` and `)` are ASCII,
 * so they never fall inside a multi-byte UTF-8 sequence of the name.
 */
export function parseStatBytes(bytes: Buffer, length: number): StatFields | undefined {
  const open = bytes.indexOf(0x28);
  const close = length > 0 ? bytes.lastIndexOf(0x29, length - 1) : -1;
  if (open < 0 || open >= length || close < open) return undefined;
  const pid = Number(bytes.toString('utf8', 0, open).trim());
  const comm = bytes.toString('utf8', open + 1, close);
  // Token k (0-based) after ") " is field k + 3; the last token runs to the end of the read, as the string parser does.
  let state: string | undefined;
  let ppid = Number.NaN;
  let pgid = Number.NaN;
  let sid = Number.NaN;
  let flags = Number.NaN;
  let startTicks = Number.NaN;
  for (let at = close + 2, k = 0; k <= 19; k++) {
    let end = at;
    while (end < length && bytes[end] !== SPACE) end++;
    if (k === 0) state = bytes.toString('utf8', at, end);
    else if (k === 1) ppid = numberAt(bytes, at, end);
    else if (k === 2) pgid = numberAt(bytes, at, end);
    else if (k === 3) sid = numberAt(bytes, at, end);
    else if (k === 6) flags = numberAt(bytes, at, end);
    else if (k === 19) startTicks = numberAt(bytes, at, end);
    if (end >= length) break;
    at = end + 1;
  }
  if (!Number.isInteger(pid) || state === undefined || !Number.isFinite(startTicks)) return undefined;
  return { pid, comm, state, ppid, pgid, sid, flags, startTicks };
}

export const isKernelThread = (s: StatFields): boolean => (s.flags & PF_KTHREAD) !== 0;
