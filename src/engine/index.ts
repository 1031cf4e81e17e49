/**
 * The engine's front door: take a baseline at job start, check at job end.
 * GitHub-free: adapters (action, CLI) call these and decide what to do.
 */
import {
  lineageOnly,
  pipelinePartners,
  type PrivilegePrefix,
  type ProcessTable,
  readDetails,
  readTable,
  readUnreadableEnvs,
} from '../proc/index.js';
import { type Baseline, type BaselineKeys, type SnapshotInput, baselineKeys, isNew, snapshotFrom } from './baseline.js';
import { type DetectOptions, detect, guardedFor } from './detect.js';
import type { Detection } from './findings.js';
import { timeWindowReason } from './time-window.js';
import { buildTree } from './tree.js';

export * from './activity.js';
export * from './allowlist.js';
export * from './baseline.js';
export * from './baseline-file.js';
export * from './detect.js';
export * from './findings.js';
export * from './membership.js';
export * from './never-touch.js';
export * from './session.js';
export * from './time-window.js';
export * from './tree.js';

/** A baseline of this machine now. @internal for bench/ and the tests; the pre step goes through beginJob. */
export async function snapshot(options: Omit<SnapshotInput, 'table'> = {}): Promise<Baseline> {
  // The baseline keeps only identities, plus argv and uid of the snapshotter's chain: read just those in full.
  const table = await readTable(undefined, lineageOnly(options.self ?? process.pid));
  return snapshotFrom({
    ...options,
    table,
    runnerTrackingId: options.runnerTrackingId ?? process.env.RUNNER_TRACKING_ID,
  });
}

export interface ReadOptions {
  /** The helper that reads environments the checker may not (README "For integrators"); false: never. */
  readonly privileged?: PrivilegePrefix | false;
  /** Time-window attribution (default true): read every process's environment for other jobs' markers when a candidate exists. */
  readonly timeWindow?: boolean;
  /** The checking process (default this one), never a candidate. */
  readonly checker?: number;
}

export interface CurrentTable {
  readonly table: ProcessTable;
  /** Facts worth one log line, e.g. why unreadable environments could not be read as root. */
  readonly notes: readonly string[];
}

/**
 * Reads the table now, with details for the processes that are new since the
 * baseline. When a marker-less orphan may be the job's by the time window, it
 * also reads every other process's environment (only the marker variables are
 * kept), so detection sees another job's processes that predate ours (README
 * "Limits (what the guess cannot know)"). Then one privileged call (sudo -n)
 * reads every environment that stayed unreadable.
 */
export async function readCurrent(baseline: Baseline, options: ReadOptions = {}): Promise<CurrentTable> {
  // Processes from the baseline are never findings: their identity (stat) is all detection needs of them.
  const known = baselineKeys(baseline);
  const plain = await readTable(baseline.reader, { fullFor: (pid, start) => isNew(baseline, known, { pid, start }) });
  const fresh = new Set(plain.processes.filter((p) => isNew(baseline, known, p)).map((p) => p.pid));
  let table = await readDetails(plain, (p) => fresh.has(p.pid));
  if (options.timeWindow !== false && hasTimeWindowCandidate(baseline, known, table, options.checker ?? process.pid)) {
    table = await readDetails(table, (p) => !fresh.has(p.pid));
  }
  const privileged = await readUnreadableEnvs(table, options.privileged);
  return { table: privileged.table, notes: privileged.notes };
}

function hasTimeWindowCandidate(baseline: Baseline, keys: BaselineKeys, table: ProcessTable, checker: number): boolean {
  if (baseline.cgroup !== undefined) return false; // with a job cgroup, membership decides
  const tree = buildTree(table.processes);
  // No cgroup check here: the runner chain's cgroups are not read yet, and this must be a superset of detect's candidates.
  const ctx = { baseline, tree, baselineKeys: keys, never: guardedFor(baseline, tree, checker) };
  return table.processes.some((p) => timeWindowReason(ctx, p) !== undefined);
}

export type CheckOptions = DetectOptions & ReadOptions;

export async function check(
  baseline: Baseline,
  options: CheckOptions = {},
): Promise<CurrentTable & { readonly detection: Detection }> {
  const { table, notes } = await readCurrent(baseline, options);
  // Only new processes can be findings, so only they are asked whether they hold the other end of our stdio.
  const keys = baselineKeys(baseline);
  const fresh = table.processes.filter((p) => isNew(baseline, keys, p)).map((p) => p.pid);
  const partners =
    table.reader === 'linux-proc' ? pipelinePartners(options.checker ?? process.pid, fresh) : new Map<number, string>();
  return {
    table,
    detection: detect(baseline, table, { ...options, partners: new Map([...partners, ...(options.partners ?? [])]) }),
    notes,
  };
}
