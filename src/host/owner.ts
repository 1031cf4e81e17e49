/**
 * Who owns a job: the process whose exit means the job is over.
 *
 * - Action (pre step): the pre step's parent, the runner's `Runner.Worker`,
 *   which runs exactly one job and exits at its end.
 * - GitHub job-started hook (ACTIONS_RUNNER_HOOK_JOB_STARTED): the nearest
 *   ancestor named `Runner.Worker`; the hook's own shell exits long before the job.
 * - `strays start`: `--owner PID`; by default (`auto`) the nearest
 *   `Runner.Worker` ancestor if there is one (a GitHub hook), else the parent
 *   of `strays start`, the shell running the script. In GitLab's shell
 *   executor that shell runs before_script and script together and exits when
 *   they end; after_script runs in a new shell, so `strays check` there sees a
 *   job that is already "over" (harmless: it is a leak by then). Never use the
 *   gitlab-runner service itself: it outlives every job, so the job would never end.
 * - `strays run`: strays itself.
 *
 * Identities are read from the process table, so they carry the reader's own
 * start stamp; `Owner.reader` says which.
 */
import { ancestorsOf, buildTree } from '../engine/tree.js';
import { type ProcessTable, readTable } from '../proc/index.js';
import type { ProcessInfo } from '../proc/types.js';
import type { Owner } from './job-record.js';

/** comm of the GitHub runner's per-job process (bin/Runner.Worker). */
export const RUNNER_WORKER = 'Runner.Worker';

const tableOr = async (table?: ProcessTable): Promise<ProcessTable> => table ?? readTable();

export function ownerOf(table: ProcessTable, pid: number, what: string): Owner {
  const p = table.processes.find((q) => q.pid === pid);
  if (!p) throw new Error(`Cannot record the job owner: ${what} (pid ${pid}) is not in the process table.`);
  return { pid: p.pid, start: p.start, reader: table.reader, comm: p.comm };
}

function ancestors(table: ProcessTable, pid: number): ProcessInfo[] {
  const tree = buildTree(table.processes);
  return ancestorsOf(tree, pid).flatMap((a) => tree.byPid.get(a) ?? []);
}

/** The pre step's parent (Runner.Worker). */
export async function ownerForAction(table?: ProcessTable): Promise<Owner> {
  return ownerOf(await tableOr(table), process.ppid, 'the parent of the pre step');
}

/** The nearest `Runner.Worker` ancestor of `self`, or undefined when there is none (not under a GitHub runner). */
export function findRunnerWorker(table: ProcessTable, self = process.pid): Owner | undefined {
  const worker = ancestors(table, self).find((p) => p.comm === RUNNER_WORKER);
  return worker ? { pid: worker.pid, start: worker.start, reader: table.reader, comm: worker.comm } : undefined;
}

/** The job-started hook's owner: the nearest Runner.Worker ancestor; an error when there is none. */
export async function ownerForHook(table?: ProcessTable): Promise<Owner> {
  const t = await tableOr(table);
  const worker = findRunnerWorker(t);
  if (!worker) throw new Error(`Cannot record the job owner: no ancestor of pid ${process.pid} is named ${RUNNER_WORKER}. Is this a GitHub runner job-started hook?`);
  return worker;
}

/** `strays start`'s owner: `--owner PID`, else (auto) the nearest Runner.Worker, else the parent of strays start. */
export async function ownerForStart(ownerPid?: number, table?: ProcessTable): Promise<Owner> {
  const t = await tableOr(table);
  if (ownerPid !== undefined) return ownerOf(t, ownerPid, '--owner');
  return findRunnerWorker(t) ?? ownerOf(t, process.ppid, 'the parent of strays start');
}

/** `strays run`'s owner: strays itself, whose exit ends the guarded command's job. */
export async function ownerForRun(table?: ProcessTable): Promise<Owner> {
  return ownerOf(await tableOr(table), process.pid, 'strays run');
}
