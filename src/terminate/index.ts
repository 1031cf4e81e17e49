/**
 * Termination: end the findings, and say truthfully what happened to each, in
 * the order README "Order of signals" gives (stop the world, TERM + CONT, wait,
 * stop again, KILL + CONT, verify). The rescan is the caller's
 * (src/job/rescan.ts). Every signal is preceded by an identity check
 * (signals.ts); the current process and its ancestors are never signalled,
 * whatever we are handed.
 */
import { buildTree, type Finding, neverTouch } from '../engine/index.js';
import { isDeadState, type Look, look, type ProcessInfo, readTable, readWchan, STAT_ONLY } from '../proc/index.js';
import { deliver } from './deliver.js';
import { type FinalLook, type TargetRecord, outcomeOf, reportedOnly } from './outcome.js';
import { Records } from './records.js';
import { sendAll } from './send.js';
import type { Rescan, Termination, TerminateOptions } from './types.js';
import { DEFAULT_POLL_MS, waitForEnd } from './wait.js';
import { messageOf } from '../text/error-message.js';

export * from './types.js';
export { readFdsPrivileged } from './privileged-signal.js';
export { signalProcess } from './signals.js';

/** Rescans per stop-the-world phase: a fork bomb must not keep us here forever. */
export const MAX_RESCAN_ROUNDS = 8;
export const DEFAULT_VERIFY_MS = 500;
/** The least share of the grace period any process gets after its SIGTERM, however long sending took. */
const MIN_GRACE_SHARE = 0.95;

export async function terminate(findings: readonly Finding[], options: TerminateOptions): Promise<Termination> {
  const began = Date.now();
  if (!options.kill) return { results: reportedOnly(findings), added: [], durationMs: Date.now() - began };
  // Nothing to end: skip the table reads and the rescan. Only a job process forks job processes, and none was found.
  if (findings.length === 0) return { results: [], added: [], durationMs: Date.now() - began };
  const notes: string[] = [];
  const checker = options.checker ?? process.pid;
  const records = new Records(await guardedPids(checker, options.processes, notes));
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;

  const helper = options.privileged;
  // Each stop-the-world phase ends on a table read after every target was stopped: the group
  // signals that follow are judged on it, so a phase costs one table read, not two.
  const first = await stopTheWorld(records, records.add(findings, false), options, notes);
  // The grace period counts from the first SIGTERM, as for one process: signalling hundreds takes
  // milliseconds, which the last of them would otherwise add to every job (README "Order of signals").
  // A slow delivery (sudo for another user's leaks) still leaves every process 95 % of it.
  const termAt = Date.now();
  await deliver(records.active(), ['SIGTERM', 'SIGCONT'], records.guarded, first.processes, helper);
  const deadline = Math.max(termAt + options.graceMs, Date.now() + options.graceMs * MIN_GRACE_SHARE);
  const survivors = await waitForEnd(records.active(), deadline, pollMs, resumeOnce(helper));

  // Survivors may have forked while they ran; stop them and find those children before the SIGKILL.
  const late = await stopTheWorld(records, survivors, options, notes);
  const toKill = [...survivors, ...late.added].filter((r) => r.settled === undefined);
  if (toKill.length > 0) {
    await deliver(toKill, ['SIGKILL', 'SIGCONT'], records.guarded, late.processes, helper);
    await waitForEnd(toKill, Date.now() + (options.verifyMs ?? DEFAULT_VERIFY_MS), pollMs);
  }

  const all = records.all();
  const looks = await finalLooks(all);
  return {
    results: all.map((r, i) => outcomeOf(r, looks[i] as FinalLook)),
    added: records.added,
    durationMs: Date.now() - began,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * A target that stops again after our SIGCONT holds its SIGTERM pending until SIGKILL, a whole grace period
 * later. sudo (1.9, without a pty) does: it stops itself when the command it runs stops, so the stop-the-world
 * SIGSTOP of both leaves sudo stopped once both are resumed (test/hosted-runner.live.test.ts, `sudo … &` in a
 * step). Each such target gets one more SIGCONT, once: a process that keeps stopping itself waits for SIGKILL.
 */
function resumeOnce(helper: TerminateOptions['privileged']): (stopped: TargetRecord[]) => Promise<void> {
  const resumed = new Set<TargetRecord>();
  return (stopped) => {
    const fresh = stopped.filter((r) => !resumed.has(r));
    for (const r of fresh) resumed.add(r);
    return sendAll(fresh, 'SIGCONT', helper);
  };
}

interface StoppedWorld {
  /** Records the rescans added. */
  readonly added: TargetRecord[];
  /** The last rescan's table, read after every target was stopped; undefined without a (successful) rescan. */
  readonly processes: readonly ProcessInfo[] | undefined;
}

/** SIGSTOPs `fresh`, then rescans until nothing new appears. */
async function stopTheWorld(
  records: Records,
  fresh: readonly TargetRecord[],
  options: TerminateOptions,
  notes: string[],
): Promise<StoppedWorld> {
  await sendAll(fresh, 'SIGSTOP', options.privileged);
  const added: TargetRecord[] = [];
  if (!options.rescan) return { added, processes: undefined };
  for (let round = 0; round < MAX_RESCAN_ROUNDS; round++) {
    let found: Rescan;
    try {
      found = await options.rescan();
    } catch (error) {
      notes.push(`rescan failed, continuing with the processes already found: ${messageOf(error)}`);
      return { added, processes: undefined };
    }
    const more = records.add(found.findings, true);
    // Nothing new: every target was stopped before this table was read.
    if (more.length === 0) return { added, processes: found.processes };
    await sendAll(more, 'SIGSTOP', options.privileged);
    added.push(...more);
  }
  notes.push(`new processes kept appearing after ${MAX_RESCAN_ROUNDS} rescans; a fork loop may have escaped`);
  return { added, processes: undefined };
}

/** never-touch.ts on the detection's table (or one read now): the checker's chain and this process's, whatever we are handed. */
async function guardedPids(
  checker: number,
  given: readonly ProcessInfo[] | undefined,
  notes: string[],
): Promise<Map<number, string>> {
  try {
    const processes = given ?? (await readTable(undefined, STAT_ONLY)).processes;
    const tree = buildTree(processes);
    return new Map([...neverTouch({ tree, checker: process.pid }), ...neverTouch({ tree, checker })]);
  } catch (error) {
    notes.push(`could not read the process table to find our ancestors: ${messageOf(error)}`);
    const fallback = 'is the checker or its parent (no process table to look further)';
    return new Map([checker, process.pid, process.ppid, 1].map((pid) => [pid, fallback] as const));
  }
}

/** One last look at each record; where /proc is missing, one table read tells zombies from the living. */
async function finalLooks(all: readonly TargetRecord[]): Promise<FinalLook[]> {
  const looks = all.map(look);
  let states: Map<number, { state: string; ppid: number }> | undefined;
  if (looks.some((l) => l.kind === 'running' && l.now.state === undefined)) {
    const table = await readTable(undefined, STAT_ONLY).catch(() => undefined);
    states = new Map((table?.processes ?? []).map((p) => [p.pid, p] as const));
  }
  return all.map((r, i): FinalLook => {
    const seen = looks[i] as Look;
    if (seen.kind === 'gone' || seen.kind === 'reused') return { kind: 'dead' };
    if (seen.kind === 'zombie') return seen;
    const row = seen.now.state === undefined ? states?.get(r.pid) : undefined;
    const state = seen.now.state ?? row?.state;
    if (isDeadState(state)) return { kind: 'zombie', reaper: seen.now.ppid ?? row?.ppid };
    return { kind: 'running', state, wchan: readWchan(r.pid) };
  });
}
