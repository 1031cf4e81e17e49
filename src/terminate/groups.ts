/**
 * Which process groups may be signalled whole (kill(-pgid)). Pure.
 *
 * A group kill reaches members forked after our last look, which per-pid
 * signals miss. But it reaches *every* member, so it is only safe when every
 * live member is a finding. The classic trap is the runner's own group: a
 * non-interactive shell has no job control, so `cmd &` in a step stays in the
 * process group of the step shell, which is the group of the runner that
 * spawned it (the runner does not setsid/setpgid its steps). The leak's pgid is
 * then the runner's; kill(-pgid) would kill the runner. The runner is alive and
 * not a finding, so rule 2 below already refuses; rules 3 and 4 hold even when
 * we are handed wrong findings.
 *
 * A group may be signalled whole only when:
 *  1. pgid > 1 (kill(-1) is "everything we may signal");
 *  2. every live member of the group in the latest table is a finding being
 *     terminated (zombies are dead and cannot be hurt);
 *  3. no member is the current process or one of its ancestors, nor is the
 *     pgid itself one of their pids;
 *  4. the group is not in the session of the current process or its
 *     ancestors: setpgid(2) lets any process of a session move into another
 *     group of the same session, so in our own session a group could gain a
 *     non-finding member between our read and the signal.
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
    // Unknown session (ps on macOS): we cannot prove rule 4, so no group kill.
    if (group.some((p) => p.sid === undefined || guardedSessions.has(p.sid))) continue;
    out.set(
      pgid,
      ours.map((p) => p.pid),
    );
  }
  return out;
}
