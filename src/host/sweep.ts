/**
 * `strays sweep`, the I/O around planSweep. Records are listed before the
 * table is read: a job registered in between then looks unrecorded (left
 * alone), never over. The reverse order could judge an owner dead because it
 * started after the table was read.
 */
import { identityKey, isZombie, type ProcessInfo, type ProcessTable, readDetails, readTable } from '../proc/index.js';
import { buildTree, neverTouchPids } from '../engine/index.js';
import { type Outcome, terminate, type Termination } from '../terminate/index.js';
import { readBootId, readPidNamespace } from './boot.js';
import { type JobCgroupSweep, findJobCgroups, pruneJobCgroups, thawOverJobCgroups } from './job-cgroups.js';
import { type CorruptEntry, listJobs, unregisterJob } from './registry.js';
import { type SweepPlan, planSweep } from './plan.js';
import { defaultStateDir } from './state-dir.js';

export interface SweepOptions {
  readonly olderThanMs: number;
  /** Report only: signal nothing, remove no record. */
  readonly dryRun: boolean;
  readonly graceMs: number;
  /** Also end markers that no record names (at least olderThanMs old). */
  readonly unrecorded: boolean;
  readonly stateDir?: string | undefined;
  /** Limits the sweep to these processes (embedding and tests; the CLI sweeps everything). */
  readonly within?: ((p: ProcessInfo) => boolean) | undefined;
}

export interface SweepResult {
  /** ms since the epoch, when the sweep began. */
  readonly at: number;
  readonly durationMs: number;
  readonly stateDir: string;
  readonly options: Omit<SweepOptions, 'within' | 'stateDir'>;
  readonly plan: SweepPlan;
  readonly corrupt: readonly CorruptEntry[];
  /** Why the jobs folder was refused as a whole (nothing swept from it), when it was. */
  readonly refused: string | undefined;
  /** Records of other users this sweep may not read (0640 in a shared folder): their jobs are unknown to it. */
  readonly othersUnreadable: number;
  /** Record files past MAX_RECORDS that were not read. */
  readonly unread?: number | undefined;
  readonly termination: Termination;
  /** Sessions of over jobs with nothing left whose records were removed (dry run: would be). */
  readonly pruned: readonly string[];
  /** Job cgroups left by ends that never ran: thawed (over jobs) and removed when empty (src/host/job-cgroups.ts). */
  readonly cgroups: JobCgroupSweep;
}

/** Outcomes after which a process no longer runs. */
const ENDED: ReadonlySet<Outcome> = new Set(['exited', 'killed', 'gone', 'zombie']);

type Look = { plan: SweepPlan; processes: readonly ProcessInfo[] } & Pick<
  SweepResult,
  'corrupt' | 'refused' | 'othersUnreadable' | 'unread'
>;

async function look(options: SweepOptions, dir: string): Promise<Look> {
  const { jobs, corrupt, refused, othersUnreadable, unread } = listJobs({ stateDir: dir });
  const table = await readMarkers(await readTable(), options.within);
  const plan = planSweep({
    jobs,
    table,
    bootId: readBootId(),
    pidNamespace: readPidNamespace(),
    olderThanMs: options.olderThanMs,
    unrecorded: options.unrecorded,
    self: process.pid,
    within: options.within,
  });
  return { plan, corrupt, refused, othersUnreadable, unread, processes: table.processes };
}

/** Reads marker variables of every process but ourselves and our ancestors (kernel threads are never in the table). */
async function readMarkers(table: ProcessTable, within: SweepOptions['within']): Promise<ProcessTable> {
  const skip = neverTouchPids({ tree: buildTree(table.processes), checker: process.pid });
  return readDetails(table, (p) => !skip.has(p.pid) && !isZombie(p) && (within === undefined || within(p)));
}

export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const at = Date.now();
  const dir = options.stateDir ?? defaultStateDir();
  const { processes, ...looked } = await look(options, dir);
  const { plan } = looked;
  const jobCgroups = options.within === undefined ? findJobCgroups() : [];
  const over = new Set(plan.jobs.filter((j) => j.state === 'over').map((j) => j.record.session));
  const thawed = options.dryRun ? [] : await thawOverJobCgroups(jobCgroups, over);
  const termination = await terminate(plan.targets, {
    graceMs: options.graceMs,
    kill: !options.dryRun,
    // Children forked while we work belong to the same over jobs: the fresh plan finds them.
    rescan: async () => {
      const again = await look(options, dir);
      return { findings: again.plan.targets, processes: again.processes };
    },
  });
  const pruned = prunable(plan, termination, options.dryRun);
  if (!options.dryRun) for (const session of pruned) unregisterJob(session, { stateDir: dir });
  const cgroups = { thawed, removed: pruneJobCgroups(jobCgroups, options.dryRun) };
  const { olderThanMs, dryRun, graceMs, unrecorded } = options;
  const kept = { olderThanMs, dryRun, graceMs, unrecorded };
  return { at, durationMs: Date.now() - at, stateDir: dir, options: kept, ...looked, termination, pruned, cgroups };
}

/** Over jobs whose every process has ended (or that had none left): their records have done their work. */
function prunable(plan: SweepPlan, termination: Termination, dryRun: boolean): string[] {
  const outcome = new Map(termination.results.map((r) => [identityKey(r), r.outcome] as const));
  const remaining = new Set<string>();
  for (const y of plan.young) if (y.job !== undefined) remaining.add(y.job);
  // A record that names another user's running process stays, so every sweep says so again.
  for (const r of plan.refused) if (r.job !== undefined) remaining.add(r.job);
  for (const t of plan.targets) {
    const job = plan.targetInfo.get(t.process.pid)?.job;
    const o = outcome.get(identityKey(t.process));
    // A dry run ends nothing, but says which records a real sweep would remove once its targets end.
    if (job !== undefined && !dryRun && (o === undefined || !ENDED.has(o))) remaining.add(job);
  }
  return plan.jobs.filter((j) => j.state === 'over' && !remaining.has(j.record.session)).map((j) => j.record.session);
}
