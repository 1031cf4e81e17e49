/**
 * The report: one document, rendered as the job summary, the console table,
 * the annotations and the JSON file. This file is the JSON schema: every field
 * is documented in the README (Reports), and any change that removes or retypes a
 * field bumps REPORT_VERSION (adding an optional field does not).
 *
 * Environments hold secrets, so no environment variable appears here except
 * the step id (GITHUB_ACTION, or STRAYS_STEP from `strays run`) and the job
 * marker (`session`).
 */
import type { Isolation } from '../config/options.js';
import type { Attribution } from '../engine/findings.js';
import type { Place } from '../explain/places.js';
import type { Outcome } from '../terminate/types.js';

export const REPORT_VERSION = 1;

export interface ReportContext {
  readonly host: string;
  /** ms since the epoch */
  readonly checkedAt: number;
  /** GITHUB_WORKSPACE or the directory `strays run` ran in. */
  readonly workspace?: string | undefined;
  /** RUNNER_TEMP, when set. */
  readonly runnerTemp?: string | undefined;
  /** The isolation actually used ('marker' or 'cgroup'). */
  readonly isolation?: Exclude<Isolation, 'auto'> | undefined;
  /** Step names by GITHUB_ACTION id, where known. */
  readonly stepNames?: Readonly<Record<string, string>> | undefined;
}

export interface ListenerEntry {
  readonly proto: 'tcp' | 'udp';
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
  /** `127.0.0.1:9419`, `[::1]:9419` */
  readonly endpoint: string;
}

export interface HoldsEntry {
  readonly listening: readonly ListenerEntry[];
  readonly cwd: string | undefined;
  /** undefined when the cwd or the workspace is unknown. */
  readonly cwdInWorkspace: boolean | undefined;
  readonly cwdPlace: Place | undefined;
  /** Files held open under the workspace or RUNNER_TEMP. */
  readonly openFiles: ReadonlyArray<{ readonly path: string; readonly place: Place }>;
  /** 'read', 'unreadable' (permission denied …), 'gone' (exited while we looked), 'unknown' (not explained). */
  readonly fds: 'read' | 'unreadable' | 'gone' | 'unknown';
  readonly fdsReason: string | undefined;
  readonly fdsRead: number | undefined;
  readonly fdsTotal: number | undefined;
  readonly fdsCapped: boolean;
  readonly children: ReadonlyArray<{ readonly pid: number; readonly comm: string; readonly state: string }>;
}

export interface LeakEntry {
  readonly pid: number;
  /** Start stamp (Linux: clock ticks since boot); (pid, start) identifies the process. */
  readonly start: number;
  readonly command: string;
  readonly argv: readonly string[];
  readonly comm: string;
  readonly uid: number | undefined;
  readonly user: string | undefined;
  /** ISO 8601 */
  readonly startedAt: string | undefined;
  readonly ageMs: number | undefined;
  /** GITHUB_ACTION (or the `strays run` command) in its environment, or inherited from its job ancestor. */
  readonly step: string | undefined;
  readonly stepName: string | undefined;
  readonly attribution: Attribution;
  readonly reasons: readonly string[];
  /** Parent first, up to PID 1 or the runner. */
  readonly ancestry: ReadonlyArray<{ readonly pid: number; readonly comm: string }>;
  readonly ancestryEndsAt: 'init' | 'runner' | 'unknown' | undefined;
  readonly ppid: number;
  readonly reparented: boolean | undefined;
  readonly sessionLeader: boolean | undefined;
  readonly groupLeader: boolean;
  /** proc(5) state letter at check time. */
  readonly state: string;
  readonly stopped: boolean;
  readonly uninterruptible: boolean;
  readonly wchan: string | undefined;
  readonly zombieChildren: readonly number[];
  readonly holds: HoldsEntry;
  readonly outcome: Outcome;
  readonly signals: readonly string[];
  readonly via: 'group' | 'process' | 'none';
  readonly detail: string | undefined;
}

export interface ZombieEntry {
  readonly pid: number;
  readonly command: string;
  readonly step: string | undefined;
  /** The parent that must wait(2) for it. */
  readonly reaper: number;
}

export interface SparedEntry {
  readonly pid: number;
  readonly command: string;
  readonly reason: string;
}

export interface ReportCounts {
  readonly leaked: number;
  readonly unattributed: number;
  readonly zombies: number;
  readonly spared: number;
  /** Leaked and unattributed processes by outcome. */
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
}

export interface Report {
  readonly version: typeof REPORT_VERSION;
  readonly tool: 'strays';
  /** STRAYS_SESSION of the job. */
  readonly session: string;
  readonly runnerTrackingId: string | undefined;
  readonly host: string;
  readonly workspace: string | undefined;
  readonly runnerTemp: string | undefined;
  readonly isolation: Exclude<Isolation, 'auto'> | undefined;
  readonly times: {
    /** ISO 8601: baseline taken, check made. */
    readonly jobStartedAt: string;
    readonly checkedAt: string;
    readonly terminationMs: number | undefined;
  };
  readonly mode: { readonly kill: boolean; readonly graceMs: number; readonly failOnLeak: boolean };
  /** True when the step should fail: failOnLeak and at least one leak. */
  readonly failed: boolean;
  readonly counts: ReportCounts;
  readonly leaks: readonly LeakEntry[];
  readonly unattributed: readonly LeakEntry[];
  readonly zombies: readonly ZombieEntry[];
  readonly spared: readonly SparedEntry[];
}
