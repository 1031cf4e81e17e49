/**
 * The sweep's decision, pure: job records + a process table (with marker
 * variables read) → what to end, what to leave, and why (README, What sweep
 * ends, and what it never touches). Records are written by the jobs
 * themselves, so a record ends only processes its file's owner may end
 * (mayEnd; README, Who may write the records).
 */
import {
  ancestorsOf,
  buildTree,
  type Finding,
  marksOf,
  neverTouchPids,
  SESSION_VAR,
  stepOf,
  TRACKING_VAR,
} from '../engine/index.js';
import { isZombie, type ProcessInfo, type ProcessTable, ticksToMs } from '../proc/index.js';
import { untrusted } from '../text/untrusted.js';
import type { JobRecord } from './job-record.js';

/** A record with the uid that owns its file (listJobs); undefined (not read from a file) is trusted by nobody. */
export type SweptJob = JobRecord & { readonly fileUid?: number | undefined };

/**
 * Whether `record` may end `p`: its file is root's, or belongs to the uid of
 * `p` (the owner of /proc/PID: the effective uid, or root for a non-dumpable
 * process, which then stays with root's records). An unknown uid is no match.
 */
export const mayEnd = (record: SweptJob, p: ProcessInfo): boolean =>
  record.fileUid === 0 || (record.fileUid !== undefined && p.uid !== undefined && record.fileUid === p.uid);

export type JobState = 'over' | 'live' | 'unknown';

export interface JobStatus {
  readonly record: SweptJob;
  /** `unknown` (owner stamped by another reader) is treated as live: never swept. */
  readonly state: JobState;
  readonly reason: string;
}

/** A live process carrying a marker. */
export interface MarkedProcess {
  readonly process: ProcessInfo;
  /** undefined when the start time is unknown: then never "old enough". */
  readonly ageMs: number | undefined;
  readonly session: string | undefined;
  readonly trackingId: string | undefined;
  /** The session of the recorded job it belongs to; undefined for unrecorded markers. */
  readonly job: string | undefined;
}

export interface SweepInput {
  readonly jobs: readonly SweptJob[];
  readonly table: ProcessTable;
  readonly bootId: string | undefined;
  /** The sweeper's PID namespace (boot.ts): a record made in another names pids the sweeper cannot check. */
  readonly pidNamespace?: string | undefined;
  readonly olderThanMs: number;
  /** End markers that no record names too (at least olderThanMs old). */
  readonly unrecorded: boolean;
  /** The sweeping process: it and its ancestors are never looked at. */
  readonly self: number;
  /** Limits the sweep to these processes (embedding and tests). */
  readonly within?: ((p: ProcessInfo) => boolean) | undefined;
}

export interface SweepPlan {
  readonly jobs: readonly JobStatus[];
  /** To terminate: processes of jobs that are over (and unrecorded ones with `unrecorded`), old enough. */
  readonly targets: readonly Finding[];
  readonly targetInfo: ReadonlyMap<number, MarkedProcess>;
  /** Marked processes left alone because they are younger than olderThanMs. */
  readonly young: readonly MarkedProcess[];
  /** Processes of jobs whose owner is alive: never touched. */
  readonly live: readonly MarkedProcess[];
  /** Markers that no record names (targets too when `unrecorded`). */
  readonly unrecorded: readonly MarkedProcess[];
  /** Processes whose environment could not be read (another user's, as non-root): markers unknown, left alone. */
  readonly unreadable: number;
  /** Processes that only a record of another user ties to a job that is over (mayEnd): left alone; `job` names the record. */
  readonly refused: readonly MarkedProcess[];
}

/**
 * pid → process of a table, built once per table: a sweep judges every record
 * (up to the registry's 10,000) against the same table, and a linear search
 * per record would make that records × processes.
 */
const byPid = new WeakMap<ProcessTable, ReadonlyMap<number, ProcessInfo>>();
function byPidOf(table: ProcessTable): ReadonlyMap<number, ProcessInfo> {
  let map = byPid.get(table);
  if (!map) {
    map = new Map(table.processes.map((p) => [p.pid, p] as const));
    byPid.set(table, map);
  }
  return map;
}

export function jobStatus(
  record: SweptJob,
  table: ProcessTable,
  bootId: string | undefined,
  pidNamespace?: string,
): JobStatus {
  const { owner } = record;
  // comm comes from the record, which a job wrote: escaped like any untrusted text.
  const who = `owner pid ${owner.pid}${owner.comm ? ` (${untrusted(owner.comm, 64)})` : ''}`;
  if (record.bootId !== undefined && bootId !== undefined && record.bootId !== bootId) {
    return { record, state: 'over', reason: `the machine has rebooted since the job started; ${who} is gone` };
  }
  if (record.pidNamespace !== undefined && pidNamespace !== undefined && record.pidNamespace !== pidNamespace) {
    return {
      record,
      state: 'unknown',
      reason: `${who} is a pid of another PID namespace (${untrusted(record.pidNamespace, 40)}; this sweep sees ${pidNamespace}): cannot tell, left alone`,
    };
  }
  if (owner.reader !== table.reader) {
    return {
      record,
      state: 'unknown',
      reason: `${who} was recorded by the ${owner.reader} reader, this sweep reads ${table.reader}: cannot tell, left alone`,
    };
  }
  const now = byPidOf(table).get(owner.pid);
  if (!now) return { record, state: 'over', reason: `${who} has exited` };
  if (now.start !== owner.start)
    return {
      record,
      state: 'over',
      reason: `${who} has exited (the pid now belongs to ${untrusted(now.comm, 64)}, started later)`,
    };
  if (isZombie(now)) return { record, state: 'over', reason: `${who} has exited (zombie)` };
  return { record, state: 'live', reason: `${who} is running` };
}

export function ageOf(p: ProcessInfo, table: ProcessTable): number | undefined {
  if (table.reader === 'linux-proc') return Math.max(0, ticksToMs(table.now - p.start));
  return p.startedAt === undefined ? undefined : Math.max(0, table.takenAt - p.startedAt);
}

/** Marker values come from process environments: anyone's text. */
const shown = (v: string | undefined): string => untrusted(v ?? '', 128);

export function planSweep(input: SweepInput): SweepPlan {
  const { table } = input;
  const statuses = input.jobs.map((r) => jobStatus(r, table, input.bootId, input.pidNamespace));
  const bySession = new Map(statuses.map((s) => [s.record.session, s] as const));
  const byTracking = new Map<string, JobStatus[]>();
  for (const s of statuses) {
    const id = s.record.runnerTrackingId;
    if (id !== undefined) byTracking.set(id, [...(byTracking.get(id) ?? []), s]);
  }
  const tree = buildTree(table.processes);
  const guarded = neverTouchPids({ tree, checker: input.self });

  const targets: Finding[] = [];
  const targetInfo = new Map<number, MarkedProcess>();
  const young: MarkedProcess[] = [];
  const live: MarkedProcess[] = [];
  const unrecorded: MarkedProcess[] = [];
  const refused: MarkedProcess[] = [];
  let unreadable = 0;
  const oldEnough = (m: MarkedProcess): boolean => m.ageMs !== undefined && m.ageMs >= input.olderThanMs;

  for (const p of table.processes) {
    if (guarded.has(p.pid) || isZombie(p)) continue;
    if (input.within && !input.within(p)) continue;
    if (p.env && !p.env.readable && p.env.reason !== 'process gone') unreadable++;
    const { session, trackingId } = marksOf(p);
    if (session === undefined && trackingId === undefined) continue;
    const matches = [
      ...(session !== undefined && bySession.has(session) ? [bySession.get(session) as JobStatus] : []),
      ...(trackingId !== undefined ? (byTracking.get(trackingId) ?? []) : []),
    ];
    // Any match with a job that may still run wins: ending a live job's process is the one mistake we must not make.
    const alive = matches.find((m) => m.state !== 'over');
    const overs = matches.filter((m) => m.state === 'over');
    const over = overs.find((m) => mayEnd(m.record, p));
    const entry: MarkedProcess = {
      process: p,
      ageMs: ageOf(p, table),
      session,
      trackingId,
      job: (alive ?? over ?? overs[0])?.record.session,
    };
    if (alive) {
      live.push(entry);
      continue;
    }
    if (!over && overs.length > 0) {
      refused.push(entry);
      continue;
    }
    if (!over) unrecorded.push(entry);
    if (!over && !input.unrecorded) continue;
    if (!oldEnough(entry)) {
      young.push(entry);
      continue;
    }
    const reasons = over
      ? [
          session === over.record.session
            ? `carries ${SESSION_VAR}=${session} of a job that is over`
            : `carries ${TRACKING_VAR}=${shown(trackingId)} of a job that is over`,
          over.reason,
        ]
      : [
          `carries ${session !== undefined ? `${SESSION_VAR}=${shown(session)}` : `${TRACKING_VAR}=${shown(trackingId)}`}, which no job record names (--unrecorded)`,
        ];
    targets.push({
      process: p,
      attribution: session !== undefined && (!over || session === over.record.session) ? 'marker' : 'tracking-id',
      reasons,
      ancestry: ancestorsOf(tree, p.pid),
      children: [...(tree.children.get(p.pid) ?? [])],
      step: stepOf(p),
    });
    targetInfo.set(p.pid, entry);
  }
  return { jobs: statuses, targets, targetInfo, young, live, unrecorded, unreadable, refused };
}
