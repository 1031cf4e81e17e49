/**
 * Who must never be touched: the one answer detection, termination, explain,
 * sweep and the freezer share (README "What counts as the job's", rule 1).
 * Pure: it judges a table it is given. PID 1 is never the job's, and kill(2)
 * on it ends the machine or the container. Termination adds this process
 * too, when it is not the checker (the table alone cannot know it).
 */
import type { Identity } from '../proc/index.js';
import { type Tree, ancestorsOf } from './tree.js';

export interface NeverTouchInput {
  readonly tree: Tree;
  /** The checking process: the post step, `strays check`, `strays run`, `strays sweep`. */
  readonly checker: number;
  /** The runner chain recorded at job start (recordedChain(baseline)), matched by pid and start. */
  readonly recorded?: readonly Identity[];
}

/** pid → why it is never touched; a reason reads after "pid N ", e.g. "is the checker". */
export type NeverTouch = ReadonlyMap<number, string>;

/** PID 1, the checker and its ancestors, and the recorded runner chain while each keeps its recorded start. */
export function neverTouch(input: NeverTouchInput): Map<number, string> {
  const out = new Map<number, string>();
  const add = (pid: number, reason: string): void => {
    if (!out.has(pid)) out.set(pid, reason);
  };
  add(1, 'is PID 1');
  add(input.checker, 'is the checker (the process judging the job)');
  for (const pid of ancestorsOf(input.tree, input.checker)) add(pid, 'is an ancestor of the checker');
  for (const a of input.recorded ?? []) {
    const live = input.tree.byPid.get(a.pid);
    if (live && live.start === a.start) add(a.pid, 'is the runner chain recorded at job start');
  }
  return out;
}

/** New processes that are the checker's own, not the job's. */
export interface OwnProcesses {
  /**
   * Pipeline partners (pid → why, src/proc/pipes.ts): `strays check | tee log`
   * makes tee a new process of the job, and ending it cuts the check's output.
   */
  readonly partners?: ReadonlyMap<number, string>;
}

/** `never` and the checker's own new processes; a pid already in `never` keeps its reason. */
export function withOwnProcesses(never: NeverTouch, own: OwnProcesses): NeverTouch {
  const out = new Map(never);
  const add = (pid: number, reason: string): void => {
    if (!out.has(pid)) out.set(pid, reason);
  };
  for (const [pid, why] of own.partners ?? []) add(pid, why);
  return out;
}

/** The pids alone, for callers that only ask "may I?". */
export const neverTouchPids = (input: NeverTouchInput): Set<number> => new Set(neverTouch(input).keys());

/**
 * The same pids without a whole table, for a caller that must not read every
 * process (the post step, before it freezes the job cgroup): the checker's
 * lineage as read from /proc, PID 1, and each recorded process whose start
 * (`startOf`, undefined when gone) is still the recorded one. Partners are not
 * included: they are new processes, found only by reading the table.
 */
export function neverTouchLineage(
  lineage: Iterable<number>,
  recorded: readonly Identity[],
  startOf: (pid: number) => number | undefined,
): Set<number> {
  const out = new Set<number>([1, ...lineage]);
  // A recorded process in the lineage is in already: only the others need their start read.
  for (const a of recorded) if (!out.has(a.pid) && startOf(a.pid) === a.start) out.add(a.pid);
  return out;
}
