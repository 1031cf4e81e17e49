/**
 * The end of a job, shared by the action's post step, `strays check` and
 * `strays run`: detect what the job left, end it (unless told not to), and
 * build the report. Adapters only render the report and decide the exit.
 */
import os from 'node:os';
import type { GuardOptions } from '../config/options.js';
import {
  type Baseline,
  check,
  type CheckOptions,
  type Detection,
  type Finding,
  type MembershipRule,
} from '../engine/index.js';
import { defaultPrivilegePrefix, pidMark, type PrivilegePrefix, readTable, STAT_ONLY } from '../proc/index.js';
import { DEFAULT_FD_CAP, explainFindings, type FdScan, scanOfLinks } from '../explain/index.js';
import { readFdsPrivileged, terminate, type Termination } from '../terminate/index.js';
import { buildReport, type Report, type ReportContext } from '../report/index.js';
import { cgroupRule, chainOf, closeJobCgroup } from '../cgroup/index.js';
import { detectFrozen, evacuateRunner, holdsOthers, runnerPids } from './cgroup-phase.js';
import { activeOtherSessions, forgetJob } from './host-phase.js';
import { rescanner } from './rescan.js';
import { messageOf } from '../text/error-message.js';

export interface FinishInput {
  readonly baseline: Baseline;
  readonly options: GuardOptions;
  /** Report context; `host` and `checkedAt` default to this machine and now. */
  readonly context?: Partial<ReportContext>;
  /** Extra membership rules (cgroup …). */
  readonly rules?: readonly MembershipRule[];
  /** The checking process; default this one. */
  readonly checker?: number;
  /** STRAYS_SESSION of other jobs active on this host (host state): the time window then refuses to guess. */
  readonly otherSessions?: readonly string[];
  /** Reading environments the checker cannot: default `sudo -n` when not root (src/proc/privileged.ts); false: never. */
  readonly privileged?: PrivilegePrefix | false;
  /** Host state directory (default: src/host/state-dir.ts); used to see other jobs and to drop this job's record. */
  readonly stateDir?: string | undefined;
  /** Drop this job's host-state record at the end (default true: this is the job's end). */
  readonly forget?: boolean;
}

export interface FinishResult {
  readonly report: Report;
  readonly detection: Detection;
  readonly termination: Termination | undefined;
  /** True when something leaked and the caller should fail (fail-on-leak). */
  readonly failed: boolean;
  /** Facts for one log line each (e.g. why unreadable environments were not read as root). */
  readonly notes: readonly string[];
}

export interface Finishing extends FinishResult {
  /**
   * The job cgroup's removal and the host record's drop, still under way: moving the runner chain out of the
   * job cgroup may wait for the kernel (src/cgroup/direct.ts), or for sudo. Resolves to their notes; never
   * rejects. Await it before exiting.
   */
  readonly closing: Promise<readonly string[]>;
}

/** The end of a job, every note included. */
export async function finishJob(input: FinishInput): Promise<FinishResult> {
  const { closing, ...finished } = await finishJobReportFirst(input);
  return { ...finished, notes: [...finished.notes, ...(await closing)] };
}

/**
 * The end of a job with its report ready before the job cgroup is gone: the post step writes its report
 * while the cgroup is closed.
 */
export async function finishJobReportFirst(input: FinishInput): Promise<Finishing> {
  const { baseline, options } = input;
  const checker = input.checker ?? process.pid;
  const cgroup = baseline.cgroup;
  const notes: string[] = [];
  // Read once: what must never be frozen is also what leaves the job cgroup.
  const runner = cgroup ? runnerPids(cgroup, baseline, checker) : [];
  // Freezing is for stopping what will be signalled: report-only jobs are not even paused, and a
  // cgroup holding only the runner chain (a clean job) has nothing to freeze. A cgroup about to be frozen
  // needs the runner chain out first. Otherwise, where strays writes the tree itself, the chain leaves
  // while detection reads the table: the move waits for the kernel (src/cgroup/direct.ts), and no process
  // is started for it. Through sudo it leaves with the cleanup, in the same helper call.
  const freezing = cgroup !== undefined && options.kill && holdsOthers(cgroup, runner);
  if (freezing) await evacuateRunner(cgroup, runner);
  const leaving = cgroup && !freezing && cgroup.via !== 'sudo' ? evacuateRunner(cgroup, runner) : undefined;
  leaving?.catch(() => undefined); // awaited by the cleanup; a failure meanwhile is not an unhandled rejection
  const others = await activeOtherSessions(
    baseline.session,
    (pids) => readTable(baseline.reader, { ...STAT_ONLY, pids }),
    input.stateDir,
  );
  notes.push(...others.notes);
  const detectOptions: CheckOptions = {
    allow: options.allow,
    rules: [...(input.rules ?? []), ...(cgroup ? [cgroupRule(cgroup)] : [])],
    checker,
    otherSessions: [...(input.otherSessions ?? []), ...others.sessions],
    privileged: input.privileged,
  };
  const targetsOf = (d: Detection): readonly Finding[] =>
    options.unattributed === 'kill' ? [...d.findings, ...d.unattributed] : d.findings;
  const runCheck = () => check(baseline, detectOptions);
  // Before detection lists /proc: which pids a termination rescan may trust (src/job/rescan.ts).
  const mark = pidMark();
  const checked = freezing
    ? await detectFrozen(cgroup, checker, runCheck, (r) => targetsOf(r.detection), runner)
    : { result: await runCheck(), notes: [] };
  const { table, detection } = checked.result;
  notes.push(...checked.result.notes, ...checked.notes);
  const context: ReportContext = { host: os.hostname(), checkedAt: Date.now(), ...input.context };
  // Explain before terminating: once a process is gone, its sockets and files are gone too.
  const helper = input.privileged ?? defaultPrivilegePrefix();
  const privilegedFds = await otherUsersFds(detection.findings, helper);
  const explanations = explainFindings([...detection.findings, ...detection.unattributed], table, context, {
    baseline,
    checker,
    privilegedFds,
  });
  const termination = await terminate(targetsOf(detection), {
    graceMs: options.graceMs,
    kill: options.kill,
    checker,
    privileged: helper,
    processes: table.processes,
    rescan: rescanner({ baseline, options: detectOptions, targetsOf, first: table, mark, check: runCheck }),
  });
  notes.push(...(termination.notes ?? []));
  const closing = closeAndForget(input, checker, leaving);
  const report = buildReport({ baseline, detection, termination, explanations, options, context });
  // Whether the job fails is the report's (src/report/build.ts): only proof fails it, never unattributed processes.
  return { report, detection, termination, failed: report.failed, notes, closing };
}

/**
 * Closes the job cgroup once `leaving` (the runner chain's move out, if started) is done, and drops the
 * job's host record. What of the checker's chain is still inside (through sudo: all of it) leaves in the
 * close phase, read now: a living ancestor is still that process, a pid read earlier may be another's.
 */
async function closeAndForget(input: FinishInput, checker: number, leaving?: Promise<unknown>): Promise<string[]> {
  const notes: string[] = [];
  const { cgroup, session } = input.baseline;
  if (cgroup) {
    try {
      await leaving;
      notes.push(...(await closeJobCgroup(cgroup, { alsoMove: chainOf(checker) })).notes);
    } catch (error) {
      notes.push(`cannot remove the job cgroup: ${messageOf(error)}`);
    }
  }
  if (input.forget !== false) notes.push(...forgetJob(session, input.stateDir));
  return notes;
}

/**
 * The fds of proven leaks owned by another user (`sudo git daemon` in a step),
 * read through the privileged helper so their ports are reported too.
 */
async function otherUsersFds(
  findings: readonly Finding[],
  helper: PrivilegePrefix | false,
): Promise<Map<number, FdScan>> {
  const me = process.getuid?.();
  const others = findings.filter((f) => f.process.uid !== undefined && f.process.uid !== me).map((f) => f.process);
  const out = new Map<number, FdScan>();
  if (helper === false || others.length === 0 || process.platform !== 'linux') return out;
  for (const [pid, read] of await readFdsPrivileged(helper, others, DEFAULT_FD_CAP)) {
    if (read.status === 'read') out.set(pid, scanOfLinks(read.links, read.total));
  }
  return out;
}
