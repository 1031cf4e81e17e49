/**
 * The one guess, for a process whose environment cannot be read at all
 * (README "Leaks the marker cannot see": its conditions, and "Limits" for
 * what it cannot know). Everything else is decided by proof (detect.ts).
 *
 * Why the cgroup condition: fork(2) keeps the cgroup, so a daemon the job
 * double-forked stays in the runner service's cgroup, while a service that
 * systemd starts gets its own unit. Why the subreaper list: prctl(2)
 * PR_SET_CHILD_SUBREAPER parents adopt orphans instead of PID 1, and Linux
 * does not show the flag in /proc, so only a parent that predates the job,
 * is not the runner chain, and is one of the programs below counts.
 */
import type { ProcessInfo } from '../proc/index.js';
import { type Baseline, type BaselineKeys, isNew } from './baseline.js';
import type { NeverTouch } from './never-touch.js';
import type { Tree } from './tree.js';

/** comm of programs that make themselves child subreapers to adopt orphans. */
export const SUBREAPERS: ReadonlySet<string> = new Set(['systemd', 'tini', 'docker-init', 'dumb-init', 'catatonit']);

export interface WindowContext {
  readonly baseline: Baseline;
  readonly tree: Tree;
  /** identityKey of every baseline process. */
  readonly baselineKeys: BaselineKeys;
  readonly never: NeverTouch;
  /** cgroup v2 paths a job process may live in (referenceCgroups); undefined: not checked (a superset pre-check). */
  readonly cgroups?: readonly string[] | undefined;
}

/** The cgroups of the checker's chain and the live recorded runner chain (`never` without partners): where a double-forked job daemon stays. */
export function referenceCgroups(tree: Tree, never: NeverTouch): string[] {
  const out = new Set<string>();
  for (const pid of never.keys()) {
    if (pid <= 1) continue;
    const cgroup = tree.byPid.get(pid)?.cgroup;
    if (cgroup !== undefined) out.add(cgroup);
  }
  return [...out];
}

/** Is `cgroup` the reference cgroup or below it? The root "/" contains only itself: not every cgroup of the host. */
export const within = (cgroup: string, reference: string): boolean =>
  cgroup === reference || (reference !== '/' && cgroup.startsWith(`${reference}/`));

/** False when `p`'s cgroup is known and is none of (nor below) the reference cgroups. */
export function inReferenceCgroups(ctx: WindowContext, p: ProcessInfo): boolean {
  if (ctx.cgroups === undefined || ctx.cgroups.length === 0 || p.cgroup === undefined) return true;
  const cgroup = p.cgroup;
  return ctx.cgroups.some((ref) => within(cgroup, ref));
}

/** How `p` was orphaned, or undefined when it has a live parent that is not PID 1 or a known subreaper. */
export function orphanedHow(ctx: WindowContext, p: ProcessInfo): string | undefined {
  if (p.ppid === 1) return 'orphaned (parent is PID 1)';
  const parent = ctx.tree.byPid.get(p.ppid);
  if (!parent || isNew(ctx.baseline, ctx.baselineKeys, parent) || ctx.never.has(parent.pid)) return undefined;
  return SUBREAPERS.has(parent.comm) ? `orphaned (adopted by subreaper pid ${parent.pid} ${parent.comm})` : undefined;
}

/** The environment could not be read at all (never "read, without a marker"). */
function unreadableHow(p: ProcessInfo): string | undefined {
  if (p.env === undefined) return 'environment not readable on this platform';
  if (p.env.readable || p.env.reason === 'process gone') return undefined;
  return `environment unreadable (${p.env.reason}) and no privileged read`;
}

/**
 * The guess's evidence for `p` ("started during the job by its user, orphaned
 * (parent is PID 1); environment unreadable (permission denied) and no
 * privileged read"), or undefined when `p` is not a candidate. Host activity
 * is judged separately.
 */
export function timeWindowReason(ctx: WindowContext, p: ProcessInfo): string | undefined {
  const uid = ctx.baseline.uid;
  if (ctx.baseline.cgroup !== undefined || uid === undefined || p.uid !== uid) return undefined;
  if (ctx.never.has(p.pid) || !isNew(ctx.baseline, ctx.baselineKeys, p)) return undefined;
  const unreadable = unreadableHow(p);
  if (unreadable === undefined) return undefined;
  const orphaned = orphanedHow(ctx, p);
  if (orphaned === undefined || !inReferenceCgroups(ctx, p)) return undefined;
  const where = p.cgroup === undefined ? '' : `, in the runner's cgroup ${p.cgroup}`;
  return `started during the job by its user, ${orphaned}${where}; ${unreadable}`;
}
