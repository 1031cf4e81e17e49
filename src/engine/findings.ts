/** What detection concludes about the processes of a job. */
import type { ProcessInfo } from '../proc/index.js';

/** How a process was tied to the job; reports say which for every finding. */
export type Attribution =
  | 'marker' // carries STRAYS_SESSION of this job
  | 'tracking-id' // carries RUNNER_TRACKING_ID of this job
  | 'lineage' // descends from a process of the job
  | 'cgroup' // lives in the job's cgroup
  | 'privileged-read' // marker read through root/sudo where the user could not
  | 'time-window'; // the one guess: environment unreadable with no privileged read, job's user, orphaned, no other job visible

export interface Finding {
  readonly process: ProcessInfo;
  readonly attribution: Attribution;
  /** Human reasons, most decisive first. */
  readonly reasons: readonly string[];
  /** Ancestor pids at check time, parent first. */
  readonly ancestry: readonly number[];
  readonly children: readonly number[];
  /** The step that started it: GITHUB_ACTION, or the command given to `strays run`. */
  readonly step: string | undefined;
}

/** A dead process whose parent has not reaped it: nothing to kill, the parent must wait(2) for it. */
export interface ZombieFinding {
  readonly process: ProcessInfo;
  readonly reaper: number;
}

/** A new process left alone by a verdict worth naming: allowed (or below an allowed one), or marked by another job. */
export interface Spared {
  readonly process: ProcessInfo;
  readonly reason: string;
}

export interface Detection {
  readonly findings: readonly Finding[];
  /** Processes that may be the job's but cannot be told apart from another job's: reported, not killed by default. */
  readonly unattributed: readonly Finding[];
  readonly zombies: readonly ZombieFinding[];
  readonly spared: readonly Spared[];
}
