/**
 * Stop-the-world through the cgroup freezer (cgroup-v2.rst "Core Interface
 * Files": cgroup.freeze, and "frozen 1" in cgroup.events once every task in
 * the subtree is frozen). Frozen processes cannot fork, so no child escapes
 * between detection and signalling; SIGKILL still ends a frozen process,
 * other signals are delivered on thaw.
 *
 * Freezing the job cgroup freezes everything in it, so it is only usable when
 * the checker and the runner chain are outside: in the action's post step
 * both the worker and the post step itself live in the job cgroup until they
 * are moved out (`evacuate`). `jobFreezer` refuses rather than freeze them.
 */
import type { JobCgroupRecord } from '../engine/index.js';
import { linuxLineage } from '../proc/index.js';
import { CgroupError, readKeyed, writeControl } from './files.js';
import { jobDir, pidInJobCgroup } from './members.js';
import { type CgroupPrivilege, movePhase } from './phases.js';

/** The shape termination's stop-the-world phase plugs in. */
export interface Freezer {
  freeze(): Promise<void>;
  thaw(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes cgroup.freeze and waits until cgroup.events reports the state reached. */
export async function setFrozen(dir: string, frozen: boolean, timeoutMs = 5000): Promise<void> {
  const want = frozen ? '1' : '0';
  writeControl(dir, 'cgroup.freeze', want);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (readKeyed(dir, 'cgroup.events').get('frozen') === want) return;
    if (Date.now() > deadline) {
      throw new CgroupError(
        `cgroup ${dir} did not ${frozen ? 'freeze' : 'thaw'} within ${timeoutMs} ms (a task in uninterruptible sleep?).`,
        'ETIMEDOUT',
      );
    }
    await sleep(10);
  }
}

/** `pid` and its ancestors below PID 1, read from /proc now (PID 1 is never in a job cgroup). */
export const chainOf = (pid: number): number[] => [...linuxLineage(pid)].filter((p) => p > 1);

/**
 * Moves the given live processes out of the job cgroup back to its origin, so
 * the cgroup can be frozen: one run for all pids, through the helper for a
 * cgroup made through it (`via: 'sudo'`). A pid it could not move is simply
 * not returned (the freezer then refuses, naming it). Throws CgroupError only
 * when the helper cannot run.
 */
export async function evacuate(
  record: JobCgroupRecord,
  pids: readonly number[],
  privilege?: CgroupPrivilege,
): Promise<number[]> {
  const inside = pids.filter((pid) => pidInJobCgroup(record, pid));
  return (await movePhase(record, inside, privilege)).moved;
}

export interface FreezerOptions {
  /** Pids that must never be frozen besides the checker's own chain (the runner chain from the baseline). */
  readonly protect?: readonly number[];
  /** The checking process (default this one): it and its ancestors must be outside the cgroup. */
  readonly checker?: number;
  readonly timeoutMs?: number;
}

/** A Freezer for the job cgroup; `freeze` throws CgroupError when it would freeze the checker or the runner. */
export function jobFreezer(record: JobCgroupRecord, options: FreezerOptions = {}): Freezer {
  const dir = jobDir(record);
  return {
    async freeze() {
      const guarded = [...chainOf(options.checker ?? process.pid), ...(options.protect ?? [])];
      const inside = guarded.filter((pid) => pidInJobCgroup(record, pid));
      if (inside.length > 0) {
        throw new CgroupError(
          `Not freezing ${dir}: it holds pid ${inside.join(', ')} of the checker or the runner chain; move them out first.`,
        );
      }
      await setFrozen(dir, true, options.timeoutMs);
    },
    async thaw() {
      await setFrozen(dir, false, options.timeoutMs);
    },
  };
}
