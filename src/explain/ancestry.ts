/**
 * How a leaked process got where it is: its chain of parents at check time
 * and the facts that chain implies. Pure: table in, facts out.
 *
 * A daemon that double-forks (or whose step shell exited) is reparented by
 * the kernel to the nearest subreaper, else PID 1 (prctl(2)
 * PR_SET_CHILD_SUBREAPER). We cannot see the original parent any more, so
 * "reparented" means: its parent is PID 1, or a process that is not one of
 * the job's (a subreaper, the runner) — a job process's real parent is always
 * a job process or the step's shell, and steps have ended by check time.
 */
import { isZombie, type ProcessInfo } from '../proc/index.js';
import { type Tree, ancestorsOf } from '../engine/index.js';

export interface AncestorLink {
  readonly pid: number;
  readonly comm: string;
}

export interface AncestryFacts {
  /** Parent first, up to and including PID 1 or the first process of the runner chain. */
  readonly chain: readonly AncestorLink[];
  /** Where the chain stopped: PID 1, the runner (or checker) chain, or a pid missing from the table. */
  readonly endsAt: 'init' | 'runner' | 'unknown';
  readonly reparented: boolean;
  /** setsid(2) caller: pid === sid; undefined where the reader does not know the session. */
  readonly sessionLeader: boolean | undefined;
  readonly groupLeader: boolean;
  /** T (stopped by a signal) or t (stopped by a tracer). */
  readonly stopped: boolean;
  /** D: uninterruptible sleep; SIGKILL waits until the kernel call returns. */
  readonly uninterruptible: boolean;
  /** Its children that are zombies: it never wait(2)s for them. */
  readonly zombieChildren: readonly number[];
}

export interface AncestryScope {
  /** The job's own processes (findings): a parent among them means no reparenting. */
  readonly jobPids: ReadonlySet<number>;
  /** The runner chain (snapshotter, its ancestors, the checker and its ancestors): the chain stops there. */
  readonly runnerPids: ReadonlySet<number>;
}

export function ancestryOf(tree: Tree, p: ProcessInfo, scope: AncestryScope): AncestryFacts {
  const chain: AncestorLink[] = [];
  let endsAt: AncestryFacts['endsAt'] = 'unknown';
  for (const pid of ancestorsOf(tree, p.pid)) {
    const parent = tree.byPid.get(pid);
    if (!parent) break;
    chain.push({ pid, comm: parent.comm });
    endsAt = pid === 1 ? 'init' : scope.runnerPids.has(pid) ? 'runner' : 'unknown';
    if (endsAt !== 'unknown') break;
  }
  const zombieChildren = (tree.children.get(p.pid) ?? []).filter((c) => {
    const child = tree.byPid.get(c);
    return child !== undefined && isZombie(child);
  });
  return {
    chain,
    endsAt,
    reparented: p.ppid === 1 || !scope.jobPids.has(p.ppid),
    sessionLeader: p.sid === undefined ? undefined : p.pid === p.sid,
    groupLeader: p.pid === p.pgid,
    stopped: p.state === 'T' || p.state === 't',
    uninterruptible: p.state === 'D',
    zombieChildren,
  };
}
