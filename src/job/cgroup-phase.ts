/**
 * The end of a job that has its own cgroup (README "Isolation: environment
 * marker or per-job cgroup", "What happens").
 *
 * Stop-the-world through the freezer: a frozen cgroup cannot fork, so the
 * table read while frozen is complete, and the SIGSTOP sent to every finding
 * while frozen takes effect on thaw before any of them runs a user-space
 * instruction (signals are handled on the way back to user mode). Only then
 * does termination send TERM.
 */
import { CgroupError, evacuate, jobDir, jobFreezer, memberPids, readPopulated } from '../cgroup/index.js';
import {
  type Baseline,
  type Finding,
  type JobCgroupRecord,
  neverTouchLineage,
  recordedChain,
} from '../engine/index.js';
import { isDeadState, linuxLineage, probe, stillRunning } from '../proc/index.js';
import { signalProcess } from '../terminate/index.js';
import { messageOf } from '../text/error-message.js';

/**
 * Moves the checker's chain and the runner chain out of the job cgroup. A
 * failure (e.g. sudo refused in the post step) is not the job's: the freezer
 * then refuses, naming the pids still inside, and detection runs unfrozen.
 */
export async function evacuateRunner(record: JobCgroupRecord, runner: readonly number[]): Promise<number[]> {
  try {
    return await evacuate(record, runner);
  } catch (error) {
    if (error instanceof CgroupError) return [];
    throw error;
  }
}

/**
 * What must never be frozen: never-touch.ts's answer from the checker's
 * lineage and the recorded runner chain (a few stat reads, not a table: the
 * post step reads the whole table once, for detection), and the processes
 * moved into the job cgroup at job start.
 */
export function runnerPids(record: JobCgroupRecord, baseline: Baseline, checker: number): number[] {
  const alive = (pid: number): number | undefined => {
    const now = probe(pid);
    return now === undefined || isDeadState(now.state) ? undefined : now.start;
  };
  // The checker's lineage is in `never`, read once.
  const never = neverTouchLineage(linuxLineage(checker), recordedChain(baseline), alive);
  return [...new Set([...never, ...movedStill(record)])].filter((pid) => pid > 1);
}

/**
 * Runs `detect` with the job cgroup frozen and SIGSTOPs what it returns before
 * thawing. When freezing is refused or fails, `detect` runs unfrozen and the
 * reason comes back as a note: termination's own SIGSTOP pass still runs.
 */
export async function detectFrozen<T>(
  record: JobCgroupRecord,
  checker: number,
  detect: () => Promise<T>,
  targets: (result: T) => readonly Finding[],
  protect?: readonly number[],
): Promise<{ result: T; notes: string[] }> {
  // Nothing left in the job cgroup (a clean job, once the runner chain is out): nothing to
  // freeze, and freezing an empty cgroup would only cost the writes and the wait.
  if (!populated(record)) return { result: await detect(), notes: [] };
  const freezer = jobFreezer(record, { checker, protect });
  try {
    await freezer.freeze();
  } catch (error) {
    return { result: await detect(), notes: [`cgroup freezer not used: ${messageOf(error)}`] };
  }
  try {
    const result = await detect();
    for (const f of targets(result)) signalProcess(f.process, 'SIGSTOP');
    return { result, notes: [] };
  } finally {
    await freezer.thaw();
  }
}

/** cgroup.events `populated` (cgroup-v2.rst): 0 when no process is in the cgroup or below it; unreadable counts as populated. */
function populated(record: JobCgroupRecord): boolean {
  try {
    return readPopulated(jobDir(record)) !== false;
  } catch {
    return true;
  }
}

/**
 * The processes moved into the job cgroup at job start, while each is still
 * that process (pid and start): a pid the owner left may be a job leak's now
 * (an owner that exits before `strays check`), and must not leave with the runner.
 */
const movedStill = (record: JobCgroupRecord): number[] => record.moved.filter(stillRunning).map((m) => m.pid);

/**
 * Whether the job cgroup holds anything besides `runner` and the processes
 * moved in at job start: only then is there something to freeze, for which
 * the runner chain must be out first. A clean job's cgroup holds just the
 * runner chain, which leaves while detection runs. Processes outside this PID
 * namespace are not listed (readProcs): this process could not signal them.
 */
export function holdsOthers(record: JobCgroupRecord, runner: readonly number[]): boolean {
  const mine = new Set([...runner, ...movedStill(record)]);
  return [...memberPids(record)].some((pid) => !mine.has(pid));
}
