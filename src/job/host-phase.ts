/**
 * What the host state tells the end of a job: which other jobs are running
 * here now (so the time-window rule refuses to guess), and the removal of
 * this job's record once its end has run.
 */
import { jobStatus, listJobs, listingNotes, readBootId, readPidNamespace, unregisterJob } from '../host/index.js';
import type { ProcessTable } from '../proc/index.js';
import { messageOf } from '../text/error-message.js';

/**
 * Sessions of other recorded jobs whose owner is still alive. Only the owners
 * are read (`readOwners`: their stat, not the whole table, which detection
 * reads next with what this returns), and only when there are other records.
 */
export async function activeOtherSessions(
  session: string,
  readOwners: (pids: readonly number[]) => Promise<ProcessTable>,
  stateDir?: string,
): Promise<{ sessions: string[]; notes: string[] }> {
  let list: ReturnType<typeof listJobs>;
  try {
    list = listJobs({ stateDir, except: session });
  } catch (error) {
    return { sessions: [], notes: [`host state: cannot list jobs (${messageOf(error)}).`] };
  }
  const notes = listingNotes(list).map((line) => `host state: ${line}`);
  const others = list.jobs;
  if (others.length === 0) return { sessions: [], notes };
  const table = await readOwners([...new Set(others.map((record) => record.owner.pid))]);
  const boot = readBootId();
  const namespace = readPidNamespace();
  const sessions = others
    .filter((record) => jobStatus(record, table, boot, namespace).state !== 'over')
    .map((record) => record.session);
  return { sessions, notes };
}

/** Removes this job's record; a failure is a note, the sweeper copes with a stale record. */
export function forgetJob(session: string, stateDir?: string): string[] {
  try {
    unregisterJob(session, { stateDir });
    return [];
  } catch (error) {
    return [`host state: cannot remove this job's record (${messageOf(error)}).`];
  }
}
