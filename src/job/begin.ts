/**
 * The start of a job, shared by the action's pre step, `strays start` and
 * `strays run`: snapshot, isolation (a job cgroup where the host allows it),
 * and the host-state record `strays sweep` uses when the job's end never runs.
 * Isolation and host state are best effort: they add notes, never failures.
 */
import { closeJobCgroup, type StartedIsolation, startIsolation } from '../cgroup/index.js';
import type { Isolation } from '../config/options.js';
import { type Baseline, newSessionId, snapshotFrom } from '../engine/index.js';
import { type Owner, registerBaseline } from '../host/index.js';
import { lineageOnly, type ProcessTable, readTable } from '../proc/index.js';
import { messageOf } from '../text/error-message.js';
import { forgetJob } from './host-phase.js';

export interface BeginInput {
  readonly isolation: Isolation;
  /** The process whose exit ends the job (host state), chosen from the baseline's own table. */
  readonly owner: (table: ProcessTable) => Owner | undefined | Promise<Owner | undefined>;
  /**
   * The process to move into the job cgroup: everything it starts from now on
   * is the job's (the runner worker for the action; strays itself for `run`;
   * `'owner'`: the owner, as for `strays start`).
   */
  readonly cgroupPid: number | 'owner' | undefined;
  /** Record the job in the host state directory (default true). */
  readonly register?: boolean;
  readonly stateDir?: string | undefined;
  readonly session?: string;
  readonly runnerTrackingId?: string | undefined;
}

export interface Begun {
  readonly baseline: Baseline;
  readonly isolation: 'marker' | 'cgroup';
  /** One log line each: which isolation and why, host state problems. */
  readonly notes: readonly string[];
}

export async function beginJob(input: BeginInput): Promise<Begun> {
  const session = input.session ?? newSessionId();
  // The job cgroup is made while the table is read when the process to move is known already (the runner's
  // worker, strays itself): making it waits for the kernel (src/cgroup/direct.ts). Through sudo, its helper,
  // alive meanwhile, may be in the baseline: a process from before the job's steps, which it is.
  const isolate = async (pid: number | undefined): Promise<StartedIsolation> =>
    pid === undefined
      ? { used: 'marker', reason: 'isolation: marker (no process to put in a job cgroup).' }
      : startIsolation({ requested: input.isolation, session, pid });
  const early = input.cgroupPid === 'owner' ? undefined : isolate(input.cgroupPid);
  // Handled here so that a failure while the table is read is not an unhandled rejection; awaited below.
  early?.catch(() => undefined);
  // argv and owner only for our own chain: the baseline keeps nothing else of them (README, Benchmark).
  // The host-state record needs no cgroup: it is written while the kernel moves the process into one.
  const { plain, owner, recorded } = await undoneOnFailure(early, async () => {
    const table = await readTable(undefined, lineageOnly());
    const runnerTrackingId = input.runnerTrackingId ?? process.env.RUNNER_TRACKING_ID;
    const plain = snapshotFrom({ table, session, runnerTrackingId });
    const owner = await input.owner(table);
    return { plain, owner, recorded: input.register === false ? [] : register(plain, owner, input.stateDir) };
  });
  const isolation = await (early ?? isolate(owner?.pid)).catch((error: unknown) => {
    forgetJob(session, input.stateDir); // no baseline, so no job: nor its record
    throw error;
  });
  const baseline: Baseline = {
    ...plain,
    owner: owner ? { pid: owner.pid, start: owner.start } : undefined,
    cgroup: isolation.record,
  };
  const notes = [isolation.reason, ...recorded];
  return { baseline, isolation: baseline.cgroup ? 'cgroup' : 'marker', notes };
}

/** Records the job in the host state (when it has an owner to outlive); a note when that fails, never a failure. */
function register(plain: Baseline, owner: Owner | undefined, stateDir: string | undefined): string[] {
  if (!owner) return [];
  try {
    registerBaseline({ ...plain, owner: { pid: owner.pid, start: owner.start } }, { stateDir });
    return [];
  } catch (error) {
    return [
      `host state: not recorded (${messageOf(error)}); \`strays sweep\` will list this job's leftovers as unrecorded.`,
    ];
  }
}

/** Runs `work`; when it throws there is no baseline and so no job: the job cgroup made meanwhile goes, the worker leaves it. */
async function undoneOnFailure<T>(early: Promise<StartedIsolation> | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const made = await early?.catch(() => undefined);
    if (made?.record) await closeJobCgroup(made.record);
    throw error;
  }
}
