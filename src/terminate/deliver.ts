/**
 * Delivering a sequence of signals (e.g. SIGTERM then SIGCONT) to a set of
 * records: whole process groups where groups.ts says it is safe, one process
 * at a time otherwise.
 *
 * Each signal goes to every target before the next signal goes to any: with
 * SIGTERM then SIGCONT, every stopped process resumes with its SIGTERM already
 * pending (signal(7): pending signals are delivered on return to user mode),
 * so a supervisor cannot run and restart a child that has not yet been told
 * to end.
 */
import {
  identityKey,
  isDeadState,
  type PrivilegePrefix,
  type ProcessInfo,
  probe,
  readTable,
  STAT_ONLY,
} from '../proc/index.js';
import { buildTree, neverTouch } from '../engine/index.js';
import { safeGroups } from './groups.js';
import type { TargetRecord } from './outcome.js';
import { sendAll } from './send.js';
import { type SignalName, signalGroup } from './signals.js';

export async function deliver(
  records: readonly TargetRecord[],
  signals: readonly SignalName[],
  guarded: ReadonlyMap<number, string>,
  /** A table read after every target was stopped (the last rescan's); undefined: read one now. */
  stopped: readonly ProcessInfo[] | undefined,
  helper?: PrivilegePrefix | false,
): Promise<void> {
  const live = records.filter((r) => r.settled === undefined);
  if (live.length === 0) return;
  const groups = await groupsFor(live, guarded, stopped);
  const byPid = new Map(live.map((r) => [r.pid, r] as const));
  for (const signal of signals) {
    const done = new Set<TargetRecord>();
    for (const [pgid, pids] of groups) {
      const members = pids.map((pid) => byPid.get(pid)).filter((r): r is TargetRecord => r !== undefined && !r.settled);
      const running = members.length === 0 ? undefined : runningMembers(members, pgid);
      if (!running) continue;
      if (signalGroup(pgid, signal).kind !== 'sent') continue; // fall back to one by one, which reports why
      for (const m of members) done.add(m); // ended members need nothing more
      for (const m of running) {
        m.signals.push(signal);
        m.via = 'group';
      }
    }
    await sendAll(
      live.filter((r) => !done.has(r)),
      signal,
      helper,
    );
  }
}

/** The safe groups, judged on the last rescan's table (read after the world was stopped), its targets' sessions read now. */
async function groupsFor(
  live: readonly TargetRecord[],
  guarded: ReadonlyMap<number, string>,
  stopped: readonly ProcessInfo[] | undefined,
): Promise<Map<number, number[]>> {
  try {
    const processes = stopped ? sessionsNow(stopped, live) : (await readTable(undefined, STAT_ONLY)).processes;
    const all = new Set([
      ...guarded.keys(),
      ...neverTouch({ tree: buildTree(processes), checker: process.pid }).keys(),
    ]);
    return safeGroups(processes, new Set(live.map(identityKey)), all);
  } catch {
    return new Map(); // no table, no proof: per-pid only
  }
}

/**
 * `processes` with the rows a group judgement depends on read now. A rescan
 * keeps the rows of processes it had seen (src/proc/reread.ts), and those may
 * have changed group since. setpgid(2) moves a process only into a group of
 * its own session, and setsid(2) makes a new session with a new group: every
 * process that may now share a group with a target is in a target's session.
 * Those that are not targets are read again here; the targets themselves are
 * checked right before the signal (runningMembers).
 */
function sessionsNow(processes: readonly ProcessInfo[], live: readonly TargetRecord[]): ProcessInfo[] {
  const starts = new Map(live.map((r) => [r.pid, r.start] as const));
  const targets = new Set(processes.filter((p) => starts.get(p.pid) === p.start));
  const sessions = new Set([...targets].map((p) => p.sid));
  return processes.flatMap((p): ProcessInfo[] => {
    if (!sessions.has(p.sid) || targets.has(p)) return [p];
    const now = probe(p.pid);
    if (!now) return [];
    if (now.start === undefined) return [p]; // no /proc: the portable reader reads the whole table every time
    const { state = p.state, ppid = p.ppid, pgid = p.pgid, sid } = now;
    return [{ ...p, start: now.start, state, ppid, pgid, sid }];
  });
}

/**
 * Right before a group signal: every member that still runs must still be the
 * same process (start ticks) in the same group. Otherwise a pid was recycled or
 * a member moved (setpgid), and the group is no longer the one we judged.
 * Members that have ended (gone or zombie) are fine: the signal cannot hurt them.
 * Returns the members that still run, or undefined when the group must not be signalled.
 */
function runningMembers(members: readonly TargetRecord[], pgid: number): TargetRecord[] | undefined {
  const running: TargetRecord[] = [];
  for (const m of members) {
    const now = probe(m.pid);
    if (!now || isDeadState(now.state)) continue;
    if (now.start === undefined || now.start !== m.start || now.pgid !== pgid) return undefined;
    running.push(m);
  }
  return running.length > 0 ? running : undefined;
}
