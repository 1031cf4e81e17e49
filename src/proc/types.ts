/**
 * What a process-table reader reports about one process.
 *
 * Unknown values are `undefined`, never `0`: pid 0, uid 0 (root) and tick 0 are
 * all real values, and a guard that kills processes must not confuse "unknown"
 * with "root" or "the swapper".
 */

/** One-letter scheduler state as in proc(5) `stat` field 3 (R S D Z T t I X …). */
export type ProcessState = string;

/** The variables of a process environment that detection and reports may use; nothing else is ever kept. */
export type EnvView =
  | {
      readonly readable: true;
      readonly vars: Readonly<Record<string, string>>;
      /** 'privileged': read through root/sudo because the checker could not (src/proc/privileged.ts). */
      readonly via?: 'privileged' | undefined;
    }
  | { readonly readable: false; readonly reason: string };

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** Session id; `undefined` where the platform's ps does not show it (macOS `sess` is a pointer). */
  readonly sid: number | undefined;
  readonly state: ProcessState;
  readonly uid: number | undefined;
  /**
   * Start stamp in the reader's own unit (Linux: clock ticks since boot, proc(5) stat
   * field 22; `ps`: whole seconds since the epoch). Comparable only with stamps of the
   * same reader. Together with `pid` it is the process identity: pids are reused.
   */
  readonly start: number;
  /** Wall-clock start in ms since the epoch, approximate (Linux `btime` moves with NTP). */
  readonly startedAt: number | undefined;
  readonly comm: string;
  /** argv; empty for zombies, whose memory is gone. */
  readonly argv: readonly string[];
  /** Read only for processes detection looks at closely (see `readDetails`). */
  readonly cwd?: string | undefined;
  readonly env?: EnvView | undefined;
  /** cgroup v2 path (`0::/path` line of /proc/PID/cgroup), when read. */
  readonly cgroup?: string | undefined;
}

export type ReaderName = 'linux-proc' | 'ps';

export interface ProcessTable {
  readonly reader: ReaderName;
  /** When the read began, ms since the epoch. */
  readonly takenAt: number;
  /** "Now" in start-stamp units, taken before the read began. */
  readonly now: number;
  readonly processes: readonly ProcessInfo[];
}

/** (pid, start stamp): the identity of a process, stable across pid reuse. */
export interface Identity {
  readonly pid: number;
  readonly start: number;
}

export const identityKey = (p: Identity): string => `${p.pid}@${p.start}`;

/** A field of decimal digits as a number; anything else is unknown (undefined), never a guess. */
export const wholeNumber = (text: string | undefined): number | undefined =>
  text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;

/** Z (zombie) and X (dead) hold no memory and run no code: for strays they are dead, never leaks. The one test for it. */
export const isDeadState = (state: string | undefined): boolean => state === 'Z' || state === 'X';

export const isZombie = (p: Pick<ProcessInfo, 'state'>): boolean => isDeadState(p.state);

export const commandLine = (p: Pick<ProcessInfo, 'argv' | 'comm'>): string =>
  p.argv.length > 0 ? p.argv.join(' ') : `[${p.comm}]`;
