/** Attention order and groups of identical leaks (README, Order and groups). */
import type { Outcome } from '../terminate/index.js';
import type { LeakEntry, LeakGroup } from './types.js';

const RANK: Readonly<Record<Outcome, number>> = {
  survived: 0,
  'not-permitted': 1,
  killed: 2,
  zombie: 3,
  reported: 4,
  exited: 5,
  gone: 6,
};

export const outcomeRank = (o: Outcome): number => RANK[o] ?? 9;

/** An entry before it has a group. */
export type Ungrouped = Omit<LeakEntry, 'group'>;

/**
 * Attention order for these entries: steps rank by their first process's
 * start (the order the job ran them), the unknown step last.
 */
export function byAttention(entries: readonly Ungrouped[]): (a: Ungrouped, b: Ungrouped) => number {
  const first = new Map<string | undefined, number>();
  for (const e of entries) first.set(e.step, Math.min(first.get(e.step) ?? Infinity, e.start));
  const steps = [...first]
    .sort(([sa, a], [sb, b]) => (sa === undefined ? 1 : sb === undefined ? -1 : a - b))
    .map(([s]) => s);
  const rank = new Map(steps.map((s, i) => [s, i]));
  return (a, b) =>
    outcomeRank(a.outcome) - outcomeRank(b.outcome) ||
    (rank.get(a.step) ?? 0) - (rank.get(b.step) ?? 0) ||
    a.start - b.start ||
    a.pid - b.pid;
}

/** The command shape: executable name and arguments with digit runs as `#` (`sleep 404` and `sleep 405` are one shape). */
export function shapeOf(l: Pick<LeakEntry, 'argv' | 'comm'>): string {
  const [exe, ...args] = l.argv;
  // A path's last part (`/usr/bin/sleep` → `sleep`); a rewritten title with spaces is kept whole.
  const name = exe === undefined ? `[${l.comm}]` : /\s/.test(exe) ? exe : exe.split('/').at(-1) || exe;
  return [name, ...args].join(' ').replace(/\d+/g, '#').slice(0, 1000);
}

/**
 * Groups entries already in attention order; a group sits where its first
 * member does, so the groups keep that order. Mutates nothing: returns the
 * groups and each entry's group index.
 */
export function groupEntries(
  section: LeakGroup['section'],
  entries: readonly Ungrouped[],
  offset: number,
): { groups: LeakGroup[]; index: number[] } {
  const byKey = new Map<string, number>();
  const members: Ungrouped[][] = [];
  const index: number[] = [];
  for (const l of entries) {
    // The user too: a row shows one user, and a step's `sudo daemon` (root) is not its user's `daemon`.
    const key = JSON.stringify([shapeOf(l), l.step ?? null, l.uid ?? null, l.outcome]);
    let i = byKey.get(key);
    if (i === undefined) {
      i = members.length;
      byKey.set(key, i);
      members.push([]);
    }
    (members[i] as Ungrouped[]).push(l);
    index.push(offset + i);
  }
  const groups = members.map((list): LeakGroup => {
    const first = list[0] as Ungrouped;
    const ages = list.map((l) => l.ageMs).filter((a): a is number => a !== undefined);
    return {
      section,
      shape: shapeOf(first),
      count: list.length,
      pids: list.map((l) => l.pid),
      command: first.command,
      comm: first.comm,
      step: first.step,
      stepName: first.stepName,
      outcome: first.outcome,
      detail: first.detail,
      ageMs: ages.length > 0 ? ages.reduce((m, a) => Math.max(m, a)) : undefined,
    };
  });
  return { groups, index };
}
