/**
 * Which process groups may be signalled whole (kill(-pgid)). Pure. The rules,
 * and why (a step's `cmd &` stays in the runner's own group), are README
 * "Process groups: only when safe": every live member is a finding (zombies
 * cannot be hurt); no member is the current process or one of its ancestors,
 * nor is the pgid one of their pids; and the group is not in their sessions,
 * since setpgid(2) lets any process of a session move into another group of
 * it between our read and the signal. And pgid > 1: kill(-1) is "everything
 * we may signal".
 */
import { identityKey, isZombie, type ProcessInfo } from '../proc/index.js';

/**
 * Returns the groups that may be signalled whole, each with the pids of its
 * members that are targets. `targets` holds identity keys (pid@start).
 */
export function safeGroups(
  processes: readonly ProcessInfo[],
  targets: ReadonlySet<string>,
  guarded: ReadonlySet<number>,
): Map<number, number[]> {
  const members = new Map<number, ProcessInfo[]>();
  for (const p of processes) {
    const list = members.get(p.pgid);
    if (list) list.push(p);
    else members.set(p.pgid, [p]);
  }
  const guardedSessions = new Set<number>();
  for (const p of processes) if (guarded.has(p.pid) && p.sid !== undefined) guardedSessions.add(p.sid);

  const out = new Map<number, number[]>();
  for (const [pgid, group] of members) {
    if (!Number.isInteger(pgid) || pgid <= 1 || guarded.has(pgid)) continue;
    const live = group.filter((p) => !isZombie(p));
    const ours = live.filter((p) => targets.has(identityKey(p)));
    if (ours.length === 0 || ours.length !== live.length) continue;
    if (group.some((p) => guarded.has(p.pid))) continue;
    // Unknown session (ps on macOS): we cannot prove the session rule, so no group kill.
    if (group.some((p) => p.sid === undefined || guardedSessions.has(p.sid))) continue;
    out.set(
      pgid,
      ours.map((p) => p.pid),
    );
  }
  return out;
}
