/**
 * The rescans of termination's stop-the-world: what was forked since detection
 * and is proven the job's. A rescan reads only what the last table does not
 * hold (src/proc/reread.ts), with the details detection reads of a new
 * process, and judges it with the last table's rows (README "Order of
 * signals", re-reads read what is new). A whole check instead where the table
 * cannot be proven complete, or where the time-window guess would weigh
 * environments the last table did not read (a new process whose own stays
 * unreadable: activity.ts reads every environment on the host).
 */
import {
  ancestorsOf,
  type Baseline,
  baselineKeys,
  buildTree,
  type CheckOptions,
  type Detection,
  detect,
  type Finding,
  isNew,
} from '../engine/index.js';
import {
  type Identity,
  identityKey,
  type PidMark,
  pidMark,
  pipelinePartners,
  type ProcessInfo,
  type ProcessTable,
  readDetails,
  readUnreadableEnvs,
  type Reread,
  reread,
  type TableRead,
} from '../proc/index.js';
import type { Rescan } from '../terminate/index.js';

interface Checked {
  readonly table: ProcessTable;
  readonly detection: Detection;
}

export interface RescanInput {
  readonly baseline: Baseline;
  /** Detection's options, as the first check had them. */
  readonly options: CheckOptions;
  /** What termination ends of a detection: its findings, and its unattributed processes when told to. */
  readonly targetsOf: (detection: Detection) => readonly Finding[];
  /** The table detection judged. */
  readonly first: ProcessTable;
  /** pidMark() taken before `first` was read; undefined: every rescan is a whole check. */
  readonly mark: PidMark | undefined;
  /** A whole check: read everything again, judge it. */
  readonly check: () => Promise<Checked>;
}

/** termination's `rescan`: each call judges the table now, read from the last call's. */
export function rescanner(input: RescanInput): () => Promise<Rescan> {
  const keys = baselineKeys(input.baseline);
  const fresh = (p: Identity): boolean => isNew(input.baseline, keys, p);
  const seen = firstSeen(input.first);
  let last: TableRead | undefined = input.mark && { table: input.first, mark: input.mark };
  return async () => {
    const read = last && reread(last, { fullFor: (pid, start) => fresh({ pid, start }) });
    let now = read && (await judgeNew(read, input, fresh));
    if (read && now) last = { ...read, table: now.table };
    else {
      const mark = pidMark(); // before the check lists /proc: what the next rescan may trust
      now = await input.check();
      last = mark && { table: now.table, mark };
    }
    return { findings: promotable(input.targetsOf(now.detection), seen), processes: now.table.processes };
  };
}

/** Details for the new processes of `read`, then detection on the whole of it; undefined: take a whole check. */
async function judgeNew(
  read: Reread,
  { baseline, options }: RescanInput,
  isNewSinceBaseline: (p: Identity) => boolean,
): Promise<Checked | undefined> {
  const fresh = read.fresh.filter(isNewSinceBaseline);
  const details = await readDetails({ ...read.table, processes: fresh }, () => true);
  const detailed = (await readUnreadableEnvs(details, options.privileged)).table;
  const timeWindow = baseline.cgroup === undefined && options.timeWindow !== false;
  const unreadable = detailed.processes.some((p) => p.env?.readable === false && p.env.reason !== 'process gone');
  if (timeWindow && unreadable && read.table.processes.some((p) => p.env === undefined)) return undefined;
  const byPid = new Map(detailed.processes.map((p) => [p.pid, p] as const));
  const table = { ...read.table, processes: read.table.processes.map((p) => byPid.get(p.pid) ?? p) };
  const partners = partnersOf(options.checker ?? process.pid, table, fresh, isNewSinceBaseline);
  return {
    table,
    detection: detect(baseline, table, { ...options, partners: new Map([...partners, ...(options.partners ?? [])]) }),
  };
}

/**
 * The checker's pipeline partners (src/proc/pipes.ts) among the new processes
 * and the new-since-baseline processes they descend from, whose verdicts
 * theirs inherit: what a check asks of every process new since the baseline.
 */
function partnersOf(
  checker: number,
  table: ProcessTable,
  fresh: readonly ProcessInfo[],
  isNewSinceBaseline: (p: Identity) => boolean,
): Map<number, string> {
  if (fresh.length === 0) return new Map();
  const tree = buildTree(table.processes);
  const asked = new Set<number>();
  for (const p of fresh) {
    for (const pid of [p.pid, ...ancestorsOf(tree, p.pid)]) {
      const row = tree.byPid.get(pid);
      if (row && isNewSinceBaseline(row)) asked.add(pid);
    }
  }
  return pipelinePartners(checker, asked);
}

/**
 * What a termination rescan may add: only processes the first pass never saw
 * (children forked since, found by their proof), never a guess. A rescan
 * judges a fresh table with a fresh view of the host; a process the first
 * pass saw and did not prove stays unproven, whatever the rescan thinks.
 */
export function promotable(found: readonly Finding[], seen: ReadonlySet<string>): Finding[] {
  return found.filter((f) => !seen.has(identityKey(f.process)) && f.attribution !== 'time-window');
}

/** The identities (identityKey) the first pass saw: what promotable never adds. */
export const firstSeen = (first: ProcessTable): Set<string> => new Set(first.processes.map(identityKey));
