/**
 * Linux clocks used to date processes.
 *
 * proc(5): stat field 22 `starttime` is "the time the process started after
 * system boot ... expressed in clock ticks (divide by sysconf(_SC_CLK_TCK))".
 * _SC_CLK_TCK is USER_HZ, which the kernel fixes at 100 for user space on every
 * architecture Node.js runs on (include/asm-generic/param.h), so we need not
 * spawn `getconf CLK_TCK` to learn it. /proc/uptime and starttime both count
 * from boot on the same clock (boot time, including suspend).
 */
import { readProcFile } from './procfs.js';

export const CLOCK_TICKS_PER_SECOND = 100;

/** Seconds since boot, from /proc/uptime, as clock ticks. */
export function uptimeTicks(procRoot = '/proc'): number {
  const seconds = Number(readProcFile(`${procRoot}/uptime`).split(' ')[0]);
  return Math.floor(seconds * CLOCK_TICKS_PER_SECOND);
}

/** Boot time in ms since the epoch: `btime` from /proc/stat. */
export function bootTimeMs(procRoot = '/proc'): number | undefined {
  const match = /^btime (\d+)$/m.exec(readProcFile(`${procRoot}/stat`));
  return match ? Number(match[1]) * 1000 : undefined;
}

export const ticksToMs = (ticks: number): number => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
