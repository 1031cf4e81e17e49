/**
 * The report: one document, rendered as the job summary, the console table,
 * the annotations and the JSON file. schema/report.schema.json is its JSON
 * Schema (the suite validates every report against it), every field is
 * documented in the README (Reports), and any change that removes or retypes a
 * field bumps REPORT_VERSION (adding an optional field does not): change all three together.
 *
 * Environments hold secrets, so no environment variable appears here except
 * the step id (GITHUB_ACTION, or STRAYS_STEP from `strays run`) and the job
 * marker (`session`).
 */
import type { Isolation } from '../config/options.js';
import type { Attribution } from '../engine/index.js';
import type { Place } from '../explain/index.js';
import type { Outcome } from '../terminate/index.js';

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
  /** Keep secrets in command lines (`--show-secrets`, local debugging only); default false: redacted (redact.ts). */
  readonly showSecrets?: boolean | undefined;
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
  /** argv joined with spaces: padding dropped, secrets redacted, at most MAX_COMMAND characters (argv.ts). */
  readonly command: string;
  /** The same words, each at most MAX_WORD characters; `…` as the last word when words were dropped. */
  readonly argv: readonly string[];
  /** Length of the whole original command line and its word count, before any cap. */
  readonly commandLength: number;
  readonly argvCount: number;
  /** True when `command`/`argv` were cut (see commandLength). */
  readonly truncated: boolean;
  readonly comm: string;
  /** Index of its row in `groups`. */
  readonly group: number;
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

/**
 * Identical leaks as one row: same executable and command shape (digits
 * aside), same step, same outcome, same section. Ordered by what needs
 * attention: survived, not-permitted, killed first, then step, then start.
 */
export interface LeakGroup {
  readonly section: 'leaks' | 'unattributed';
  /** The command shape shared by every member: its command line with digit runs as `#`. */
  readonly shape: string;
  readonly count: number;
  /** Members' pids, in report order. */
  readonly pids: readonly number[];
  /** The first member's command line (redacted, capped). */
  readonly command: string;
  readonly comm: string;
  readonly step: string | undefined;
  readonly stepName: string | undefined;
  readonly outcome: Outcome;
  /** The first member's detail (wchan of a survivor, an error …). */
  readonly detail: string | undefined;
  /** Oldest member's age. */
  readonly ageMs: number | undefined;
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
  /** Ordered by what needs attention (see LeakGroup); pids compared as numbers. */
  readonly leaks: readonly LeakEntry[];
  readonly unattributed: readonly LeakEntry[];
  /** Rows of the summary: leaks, then unattributed, each in attention order. */
  readonly groups: readonly LeakGroup[];
  readonly zombies: readonly ZombieEntry[];
  readonly spared: readonly SparedEntry[];
  /** Facts about the check itself (an environment the checker could not read, a helper refused …), once each. */
  readonly notes: readonly string[];
  /** False only under `--show-secrets`: command lines then hold whatever the processes were given. */
  readonly redacted: boolean;
}
