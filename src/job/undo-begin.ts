/**
 * Undoing a job start whose end will never run.
 *
 * beginJob changes the host: it may move a process (the runner worker, the
 * caller's shell, strays itself) into a new job cgroup and it records the job
 * in the host state. When the start fails after that (the command cannot be
 * executed, the baseline cannot be saved, the pre step fails), no finishJob
 * will ever close the cgroup or drop the record: the shell would go on living
 * in an orphan cgroup and `strays sweep` would later judge a job that never
 * ran. So every caller runs its remaining start-up through withBegun, whose
 * `finally` puts all of it back unless the job's end was handed over.
 */
import type { Baseline } from '../engine/index.js';
import { closeJobCgroup } from '../cgroup/index.js';
import { forgetJob } from './host-phase.js';
import { messageOf } from '../text/error-message.js';

/**
 * Moves the moved process back out of the job cgroup, removes the cgroup and
 * the job's host record. Never throws: what could not be undone comes back as
 * one note each.
 */
export async function undoBegin(baseline: Baseline, stateDir?: string): Promise<string[]> {
  const notes: string[] = [];
  if (baseline.cgroup) {
    try {
      notes.push(...(await closeJobCgroup(baseline.cgroup)).notes);
    } catch (error) {
      notes.push(`cannot remove the job cgroup: ${messageOf(error)}`);
    }
  }
  notes.push(...forgetJob(baseline.session, stateDir));
  return notes;
}

export interface BegunScope {
  /** The job's end now belongs to someone else (finishJob, the finisher, a later `strays check`): nothing is undone. */
  handOver(): void;
}

/**
 * Runs `rest` (the start-up after beginJob). Unless `rest` calls handOver(),
 * the start is undone when it returns or throws; undo notes go to `note`.
 */
export async function withBegun<T>(
  baseline: Baseline,
  rest: (scope: BegunScope) => Promise<T> | T,
  note: (line: string) => void,
  stateDir?: string,
): Promise<T> {
  let handed = false;
  try {
    return await rest({ handOver: () => (handed = true) });
  } finally {
    if (!handed) for (const line of await undoBegin(baseline, stateDir)) note(line);
  }
}
