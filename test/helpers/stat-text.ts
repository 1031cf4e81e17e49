/**
 * /proc/PID/stat parsed from a string by proc(5)'s rule (split at the last `)`):
 * the plain reference the byte parser src/proc/stat.ts is checked against.
 */
import type { StatFields } from '../../src/proc/stat.js';

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
