/**
 * The baseline: what ran before the job, and who runs the job.
 */
import type { Identity, ProcessInfo, ProcessTable, ReaderName } from '../proc/index.js';
import { newSessionId } from './session.js';
import { ancestorsOf, buildTree } from './tree.js';

export interface AncestorRecord extends Identity {
  readonly comm: string;
  readonly argv: readonly string[];
}

export interface Baseline {
  /** The value of STRAYS_SESSION for this job. */
  readonly session: string;
  /** RUNNER_TRACKING_ID at job start, when the runner set one. */
  readonly runnerTrackingId: string | undefined;
  readonly reader: ReaderName;
  /** Job start, ms since the epoch. */
  readonly takenAt: number;
  /** Job start in the reader's start-stamp units: processes that start at or after it are new. */
  readonly start: number;
  /** The process that took the snapshot (the pre step, `strays start`, `strays run`). */
  readonly snapshotter: Identity;
  /** Its ancestors, parent first: the runner, which must never be touched. */
  readonly ancestors: readonly AncestorRecord[];
  readonly uid: number | undefined;
  /** Identities of every process alive at job start. */
  readonly processes: readonly Identity[];
  /** The process whose exit ends the job (host state, `strays sweep`). */
  readonly owner?: Identity | undefined;
  /** The job's own cgroup, when isolation put the job in one. */
  readonly cgroup?: JobCgroupRecord | undefined;
}

export interface JobCgroupRecord {
  /** cgroup v2 mount point, from /proc/self/mountinfo. */
  readonly mount: string;
  /** The job's cgroup, relative to the mount (`/…/strays-<session>`). */
  readonly path: string;
  /** Where the moved process was before, to move it back at job end. */
  readonly origin: string;
  /** The processes moved into the job cgroup at start. */
  readonly moved: readonly Identity[];
  /** The mount's root in the hierarchy (mountinfo field 4) when not "/": /proc/PID/cgroup paths are `mountRoot + path`. */
  readonly mountRoot?: string | undefined;
  /** How the cgroup was made and must be changed: `sudo` through the privileged helper (src/cgroup/phases.ts); absent: direct writes. */
  readonly via?: 'direct' | 'sudo' | undefined;
}

/**
 * New since the baseline: started at or after job start and not in the
 * baseline by pid + start. The one test for it (detection, the reader, the
 * post step's reads and the time-window guess all ask this).
 */
export function isNew(baseline: Pick<Baseline, 'start'>, keys: BaselineKeys, p: Identity): boolean {
  return p.start >= baseline.start && keys.get(p.pid) !== p.start;
}

/** Each baseline process's start by its pid (one table read holds one process per pid): what isNew looks up. */
export type BaselineKeys = ReadonlyMap<number, number>;

const keysOfBaseline = new WeakMap<object, BaselineKeys>();

/**
 * The baseline's keys, made once per baseline object: a post step asks in the read, the check and detection.
 * Numbers, not `pid@start` strings: at 4,000 processes each string per process and per question was garbage.
 */
export function baselineKeys(baseline: Pick<Baseline, 'processes'>): BaselineKeys {
  let keys = keysOfBaseline.get(baseline);
  if (keys === undefined) {
    keys = new Map(baseline.processes.map((p) => [p.pid, p.start]));
    keysOfBaseline.set(baseline, keys);
  }
  return keys;
}

/** The runner chain recorded at job start: the snapshotter and its ancestors, parent first. */
export const recordedChain = (baseline: Pick<Baseline, 'snapshotter' | 'ancestors'>): Identity[] => [
  baseline.snapshotter,
  ...baseline.ancestors,
];

export interface SnapshotInput {
  readonly table: ProcessTable;
  /** The process that takes the snapshot; default this one. */
  readonly self?: number;
  readonly session?: string;
  readonly runnerTrackingId?: string | undefined;
}

/** Builds the baseline from a table read at job start. Pure apart from the random session id. */
export function snapshotFrom(input: SnapshotInput): Baseline {
  const self = input.self ?? process.pid;
  const tree = buildTree(input.table.processes);
  const me = tree.byPid.get(self);
  if (!me) throw new Error(`The process table has no entry for the snapshotting process (pid ${self}).`);
  const ancestors = ancestorsOf(tree, self)
    .map((pid) => tree.byPid.get(pid))
    .filter((p): p is ProcessInfo => p !== undefined)
    .map((p) => ({ pid: p.pid, start: p.start, comm: p.comm, argv: p.argv }));
  return {
    session: input.session ?? newSessionId(),
    runnerTrackingId: input.runnerTrackingId || undefined,
    reader: input.table.reader,
    takenAt: input.table.takenAt,
    start: input.table.now,
    snapshotter: { pid: me.pid, start: me.start },
    ancestors,
    uid: me.uid,
    processes: input.table.processes.map((p) => ({ pid: p.pid, start: p.start })),
  };
}
