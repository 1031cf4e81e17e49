/**
 * The report: one document, rendered as the job summary, the console table,
 * the annotations and the JSON file. schema/report.schema.json is its JSON
 * Schema (the suite validates every report against it), every field is
 * documented in the README (JSON report, version 1), and any change that
 * removes or retypes a field bumps REPORT_VERSION (adding an optional field
 * does not): change all three together. Environments hold secrets, so no
 * environment variable appears here except the step id and the job marker.
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
  readonly endpoint: string;
}

export interface HoldsEntry {
  readonly listening: readonly ListenerEntry[];
  readonly cwd: string | undefined;
  /** undefined when the cwd or the workspace is unknown. */
  readonly cwdInWorkspace: boolean | undefined;
  readonly cwdPlace: Place | undefined;
  readonly openFiles: ReadonlyArray<{ readonly path: string; readonly place: Place }>;
  readonly fds: 'read' | 'unreadable' | 'gone' | 'unknown';
  readonly fdsReason: string | undefined;
  readonly fdsRead: number | undefined;
  readonly fdsTotal: number | undefined;
  readonly fdsCapped: boolean;
  readonly children: ReadonlyArray<{ readonly pid: number; readonly comm: string; readonly state: string }>;
}

export interface LeakEntry {
  readonly pid: number;
  readonly start: number;
  /** argv joined with spaces: padding dropped, secrets redacted, at most MAX_COMMAND characters (argv.ts). */
  readonly command: string;
  /** The same words, each at most MAX_WORD characters; `…` as the last word when words were dropped. */
  readonly argv: readonly string[];
  readonly commandLength: number;
  readonly argvCount: number;
  readonly truncated: boolean;
  readonly comm: string;
  readonly group: number;
  readonly uid: number | undefined;
  readonly user: string | undefined;
  readonly startedAt: string | undefined;
  readonly ageMs: number | undefined;
  /** GITHUB_ACTION (or the `strays run` command) in its environment, or inherited from its job ancestor. */
  readonly step: string | undefined;
  readonly stepName: string | undefined;
  readonly attribution: Attribution;
  readonly reasons: readonly string[];
  readonly ancestry: ReadonlyArray<{ readonly pid: number; readonly comm: string }>;
  readonly ancestryEndsAt: 'init' | 'runner' | 'unknown' | undefined;
  readonly ppid: number;
  readonly reparented: boolean | undefined;
  readonly sessionLeader: boolean | undefined;
  readonly groupLeader: boolean;
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

/** Identical leaks as one row (README, Order and groups). */
export interface LeakGroup {
  readonly section: 'leaks' | 'unattributed';
  readonly shape: string;
  readonly count: number;
  readonly pids: readonly number[];
  readonly command: string;
  readonly comm: string;
  readonly step: string | undefined;
  readonly stepName: string | undefined;
  readonly outcome: Outcome;
  readonly detail: string | undefined;
  readonly ageMs: number | undefined;
}

export interface ZombieEntry {
  readonly pid: number;
  readonly command: string;
  readonly step: string | undefined;
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
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
}

export interface Report {
  readonly version: typeof REPORT_VERSION;
  readonly tool: 'strays';
  readonly session: string;
  readonly runnerTrackingId: string | undefined;
  readonly host: string;
  readonly workspace: string | undefined;
  readonly runnerTemp: string | undefined;
  readonly isolation: Exclude<Isolation, 'auto'> | undefined;
  readonly times: {
    readonly jobStartedAt: string;
    readonly checkedAt: string;
    readonly terminationMs: number | undefined;
  };
  readonly mode: { readonly kill: boolean; readonly graceMs: number; readonly failOnLeak: boolean };
  readonly failed: boolean;
  readonly counts: ReportCounts;
  /** Ordered by what needs attention (see LeakGroup); pids compared as numbers. */
  readonly leaks: readonly LeakEntry[];
  readonly unattributed: readonly LeakEntry[];
  readonly groups: readonly LeakGroup[];
  readonly zombies: readonly ZombieEntry[];
  readonly spared: readonly SparedEntry[];
  readonly notes: readonly string[];
  readonly redacted: boolean;
}
