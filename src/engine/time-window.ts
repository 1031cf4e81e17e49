/**
 * The time window: the one heuristic, for processes that show no marker at all
 * (issue 10). ssh-agent and gpg-agent make their environment unreadable
 * (PR_SET_DUMPABLE 0), and `env -i` or `sudo` daemons start without one; all
 * of them double-fork and setsid, so no lineage is left either.
 *
 * Such a process is a candidate when every one of these holds:
 * - it runs as the job's user (baseline.uid);
 * - it is new: started at or after the baseline and not in it;
 * - it is orphaned: its parent is PID 1, or a known subreaper (below);
 * - it lives in the cgroup of the checker or the runner chain (or below it, or
 *   in the job's cgroup): fork(2) keeps the cgroup, so a daemon the job
 *   double-forked stays in the runner service's cgroup, while a service that
 *   systemd (PID 1, or systemd --user) starts during the job gets its own unit
 *   cgroup and is not the job's. Unknown cgroups (v1-only hosts) do not exclude;
 * - it shows no job marker: environment unreadable, not read, or read without
 *   STRAYS_SESSION / RUNNER_TRACKING_ID.
 * Detection then attributes it only when the host was otherwise quiet
 * (activity.ts); otherwise it is reported as unattributed.
 *
 * Subreapers (prctl(2) PR_SET_CHILD_SUBREAPER) adopt orphans instead of PID 1,
 * and Linux does not show the flag in /proc. We do NOT take "any parent older
 * than the job" as a subreaper: cron, sshd or a user's shell are older than the
 * job too, and what they start during the job is not the job's. Only a parent
 * that predates the job, is not our runner chain, and is one of the programs
 * below (which set the flag to adopt orphans: systemd --user, container inits)
 * counts. Anything else with a live, unrelated parent is left alone.
 */
import { type ProcessInfo, identityKey } from '../proc/types.js';
import type { Baseline } from './baseline.js';
import { SESSION_VAR, TRACKING_VAR } from './session.js';
import type { Tree } from './tree.js';

/** comm of programs that make themselves child subreapers to adopt orphans. */
export const SUBREAPERS: ReadonlySet<string> = new Set(['systemd', 'tini', 'docker-init', 'dumb-init', 'catatonit']);

export interface WindowContext {
  readonly baseline: Baseline;
  readonly tree: Tree;
  /** identityKey of every baseline process. */
  readonly baselineKeys: ReadonlySet<string>;
  readonly protectedPids: ReadonlyMap<number, string>;
  /** cgroup v2 paths a job process may live in (referenceCgroups); undefined: not checked (a superset pre-check). */
  readonly cgroups?: readonly string[] | undefined;
}

/** The cgroups of the checker and the live runner chain, and the job's own cgroup: where the job's processes live. */
export function referenceCgroups(baseline: Baseline, tree: Tree, protectedPids: ReadonlyMap<number, string>): string[] {
  const out = new Set<string>();
  for (const pid of protectedPids.keys()) {
    const cgroup = tree.byPid.get(pid)?.cgroup;
    if (cgroup !== undefined) out.add(cgroup);
  }
  const job = baseline.cgroup;
  if (job) out.add(`${job.mountRoot && job.mountRoot !== '/' ? job.mountRoot : ''}${job.path}`);
  return [...out];
}

const within = (cgroup: string, parent: string): boolean =>
  cgroup === parent || parent === '/' || cgroup.startsWith(`${parent}/`);

/** False when `p`'s cgroup is known and is none of (nor below) the job's reference cgroups. */
export function inJobCgroups(ctx: WindowContext, p: ProcessInfo): boolean {
  if (ctx.cgroups === undefined || ctx.cgroups.length === 0 || p.cgroup === undefined) return true;
  const cgroup = p.cgroup;
  return ctx.cgroups.some((ref) => within(cgroup, ref));
}

const isNewIn = (ctx: WindowContext, p: ProcessInfo): boolean =>
  p.start >= ctx.baseline.start && !ctx.baselineKeys.has(identityKey(p));

/** True when the process's readable environment carries any job marker (ours or another's). */
export function hasMarker(p: ProcessInfo): boolean {
  const vars = p.env?.readable ? p.env.vars : undefined;
  return Boolean(vars && (vars[SESSION_VAR] || vars[TRACKING_VAR]));
}

/** How `p` was orphaned, or undefined when it has a live parent that is not PID 1 or a known subreaper. */
export function orphanedHow(ctx: WindowContext, p: ProcessInfo): string | undefined {
  if (p.ppid === 1) return 'orphaned (parent is PID 1)';
  const parent = ctx.tree.byPid.get(p.ppid);
  if (!parent || isNewIn(ctx, parent) || ctx.protectedPids.has(parent.pid)) return undefined;
  return SUBREAPERS.has(parent.comm) ? `orphaned (adopted by subreaper pid ${parent.pid} ${parent.comm})` : undefined;
}

function envWording(p: ProcessInfo): string {
  if (p.env === undefined) return 'environment not read';
  if (!p.env.readable) return `environment unreadable (${p.env.reason})`;
  return p.env.via === 'privileged' ? 'environment (read as root) has no job marker' : 'environment has no job marker';
}

/**
 * The time-window reason for `p` ("started during the job by its user,
 * orphaned (parent is PID 1); environment unreadable (permission denied)"),
 * or undefined when `p` is not a candidate. Host activity is judged separately.
 */
export function timeWindowReason(ctx: WindowContext, p: ProcessInfo): string | undefined {
  const uid = ctx.baseline.uid;
  if (uid === undefined || p.uid !== uid) return undefined;
  if (ctx.protectedPids.has(p.pid) || !isNewIn(ctx, p) || hasMarker(p)) return undefined;
  const orphaned = orphanedHow(ctx, p);
  if (orphaned === undefined || !inJobCgroups(ctx, p)) return undefined;
  return `started during the job by its user, ${orphaned}; ${envWording(p)}`;
}
