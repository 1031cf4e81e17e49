/**
 * The engine's front door: take a baseline at job start, check at job end.
 * GitHub-free: adapters (action, CLI) call these and decide what to do.
 */
import { type ProcessTable, identityKey, lineageOf, readDetails, readTable } from '../proc/index.js';
import type { Allowlist } from './allowlist.js';
import { type Baseline, snapshotFrom } from './baseline.js';
import { type DetectOptions, detect, newProcesses } from './detect.js';
import type { Detection } from './findings.js';

export * from './allowlist.js';
export * from './baseline.js';
export * from './baseline-file.js';
export * from './detect.js';
export * from './findings.js';
export * from './membership.js';
export * from './session.js';
export * from './tree.js';

export interface SnapshotOptions {
  readonly session?: string;
  readonly runnerTrackingId?: string | undefined;
  /** The process that takes the snapshot; default this one. */
  readonly self?: number;
}

export async function snapshot(options: SnapshotOptions = {}): Promise<Baseline> {
  // The baseline keeps only identities, plus argv and uid of the snapshotter's chain: read just those in full.
  const line = lineageOf(options.self ?? process.pid);
  const table = await readTable(undefined, { fullFor: line && ((pid) => line.has(pid)) });
  return snapshotFrom({
    table,
    self: options.self,
    session: options.session,
    runnerTrackingId: options.runnerTrackingId ?? process.env.RUNNER_TRACKING_ID,
  });
}

/** Reads the table now, with details for the processes that are new since the baseline. */
export async function readCurrent(baseline: Baseline): Promise<ProcessTable> {
  // Processes from the baseline are never findings: their identity (stat) is all detection needs of them.
  const known = new Set(baseline.processes.map(identityKey));
  const fullFor = (pid: number, start: number): boolean => start >= baseline.start && !known.has(identityKey({ pid, start }));
  const table = await readTable(baseline.reader, { fullFor });
  const fresh = new Set(newProcesses(baseline, table).map((p) => p.pid));
  return readDetails(table, (p) => fresh.has(p.pid));
}

export interface CheckOptions extends DetectOptions {
  readonly allow?: Allowlist;
}

export async function check(baseline: Baseline, options: CheckOptions = {}): Promise<{ table: ProcessTable; detection: Detection }> {
  const table = await readCurrent(baseline);
  return { table, detection: detect(baseline, table, options) };
}
