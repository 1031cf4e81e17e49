/**
 * The report: one document, rendered as the job summary, the console table
 * and the JSON file. (Schema owned by the report layer; see README "JSON report".)
 */
import type { Isolation } from '../config/options.js';
import type { Attribution } from '../engine/findings.js';
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

export interface LeakEntry {
  readonly pid: number;
  readonly start: number;
  readonly command: string;
  readonly comm: string;
  readonly uid: number | undefined;
  readonly user: string | undefined;
  readonly startedAt: string | undefined;
  readonly ageMs: number | undefined;
  readonly step: string | undefined;
  readonly attribution: Attribution;
  readonly reasons: readonly string[];
  readonly outcome: Outcome;
  readonly signals: readonly string[];
  readonly detail?: string | undefined;
}

export interface Report {
  readonly version: typeof REPORT_VERSION;
  readonly tool: 'strays';
  readonly session: string;
  readonly leaks: readonly LeakEntry[];
  readonly unattributed: readonly LeakEntry[];
  readonly zombies: ReadonlyArray<{ readonly pid: number; readonly command: string; readonly reaper: number }>;
  readonly spared: ReadonlyArray<{ readonly pid: number; readonly command: string; readonly reason: string }>;
}
