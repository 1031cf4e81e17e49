/** What termination did to each finding. */
import type { Finding } from '../engine/index.js';
import type { PrivilegePrefix, ProcessInfo } from '../proc/index.js';

/** What each outcome means: README "Outcomes". */
export type Outcome = 'exited' | 'killed' | 'gone' | 'zombie' | 'survived' | 'not-permitted' | 'reported';

export interface TerminationResult {
  readonly pid: number;
  readonly start: number;
  readonly outcome: Outcome;
  /** Signals sent, in order, e.g. ["SIGSTOP", "SIGTERM", "SIGCONT", "SIGKILL"]. */
  readonly signals: readonly string[];
  /** Whether it was signalled through its process group or on its own. */
  readonly via: 'group' | 'process' | 'none';
  /** For `zombie`: the parent that must reap it. */
  readonly reaper?: number | undefined;
  /** wchan for `survived`, the error for `not-permitted`, "pid reused" for a recycled pid … */
  readonly detail?: string | undefined;
}

export interface TerminateOptions {
  readonly graceMs: number;
  /** false: signal nothing, every result is `reported`. */
  readonly kill: boolean;
  /**
   * Re-detects the job's processes from a fresh table, for the stop-the-world
   * phase: children forked after detection are found and stopped too.
   */
  readonly rescan?: () => Promise<Rescan>;
  /**
   * The table the findings were judged on. The checker's chain is read from it
   * (it cannot have changed: it is alive and ours), so termination starts
   * without a table read of its own; absent, one is read.
   */
  readonly processes?: readonly ProcessInfo[];
  /** How often to poll while waiting for processes to end (default 20 ms). */
  readonly pollMs?: number;
  /** How long to wait for SIGKILLed processes to disappear before calling them `survived` (default 500 ms). */
  readonly verifyMs?: number;
  /** The checker: it and its ancestors are never signalled (default this process; this process is always protected too). */
  readonly checker?: number;
  /**
   * The privileged helper (privileged-signal.ts, e.g. `sudo -n`) for proven
   * leaks of another user that EPERM refuses; false or absent: none.
   */
  readonly privileged?: PrivilegePrefix | false;
}

/**
 * What a rescan found, and the table it judged: group signals are judged on
 * that table, not on a read of their own. Its rows of processes seen before
 * may be the earlier read's (src/proc/reread.ts); deliver.ts reads again the
 * rows a group signal depends on.
 */
export interface Rescan {
  readonly findings: readonly Finding[];
  readonly processes: readonly ProcessInfo[];
}

export interface Termination {
  readonly results: readonly TerminationResult[];
  /** Findings added by rescans during stop-the-world (not in the input). */
  readonly added: readonly Finding[];
  readonly durationMs: number;
  /** Facts that did not stop termination, e.g. a rescan that failed; they go in the report's notes. */
  readonly notes?: readonly string[];
}
