/**
 * Detection: baseline + current table → what the job left behind, one verdict
 * per process (README "What counts as the job's"). Pure: no I/O, no clock, no
 * signals. Only proof ends and fails; the one guess (time-window.ts) is for
 * processes whose environment cannot be read at all.
 */
import { isZombie, type ProcessInfo, type ProcessTable } from '../proc/index.js';
import { hostActivity, type HostActivity } from './activity.js';
import { type Allowlist, allowedBy } from './allowlist.js';
import { type Baseline, baselineKeys, isNew, recordedChain } from './baseline.js';
import type { Attribution, Detection, Finding, Spared, ZombieFinding } from './findings.js';
import { type MembershipRule, directMembership } from './membership.js';
import { type NeverTouch, neverTouch, withOwnProcesses } from './never-touch.js';
import { stepOf } from './session.js';
import { referenceCgroups, timeWindowReason } from './time-window.js';
import { ancestorsOf, buildTree, type Tree } from './tree.js';

export interface DetectOptions {
  /** The checking process (default: this one): it and its ancestors are never findings. */
  readonly checker?: number;
  readonly allow?: Allowlist;
  /** Further membership rules (cgroup). */
  readonly rules?: readonly MembershipRule[];
  /** The time-window guess for unreadable environments (default true; false: proof only). */
  readonly timeWindow?: boolean;
  /** STRAYS_SESSION values of other strays jobs the host state records as live; default none. */
  readonly otherSessions?: readonly string[];
  /** The checker's pipeline partners (src/proc/pipes.ts): never findings. */
  readonly partners?: ReadonlyMap<number, string>;
}

type Draft = Omit<Finding, 'ancestry' | 'children'>;

type Verdict =
  | { readonly kind: 'old' }
  | { readonly kind: 'protected'; readonly reason: string }
  | { readonly kind: 'allowed'; readonly reason: string }
  | { readonly kind: 'member'; readonly finding: Draft }
  | { readonly kind: 'unattributed'; readonly finding: Draft }
  | { readonly kind: 'spared'; readonly reason: string }
  | { readonly kind: 'none' };

/** A finding of `p` before its ancestry: its own step, else `step` (its parent's). */
const draft = (p: ProcessInfo, attribution: Attribution, reasons: readonly string[], step?: string): Draft => ({
  process: p,
  attribution,
  reasons,
  step: stepOf(p) ?? step,
});

/** Who must never be touched for this baseline and checker (never-touch.ts), pipeline partners aside. */
export const guardedFor = (baseline: Baseline, tree: Tree, checker: number): NeverTouch =>
  neverTouch({ tree, checker, recorded: recordedChain(baseline) });

export function detect(baseline: Baseline, table: ProcessTable, options: DetectOptions = {}): Detection {
  if (table.reader !== baseline.reader) {
    throw new Error(
      `The baseline was read with "${baseline.reader}" but this table with "${table.reader}": start stamps are not comparable.`,
    );
  }
  const tree = buildTree(table.processes);
  const keys = baselineKeys(baseline);
  // The chains without pipeline partners are also where a double-forked job daemon stays (their cgroups).
  const chains = guardedFor(baseline, tree, options.checker ?? process.pid);
  const never = withOwnProcesses(chains, options);
  const allow = options.allow ?? [];
  const rules = options.rules ?? [];
  const live = new Set((options.otherSessions ?? []).filter((s) => s !== baseline.session));
  const verdicts = new Map<number, Verdict>();
  const window = { baseline, tree, baselineKeys: keys, never, cgroups: referenceCgroups(tree, chains) };
  let activity: HostActivity | undefined;
  const host = (): HostActivity =>
    (activity ??= hostActivity({
      baseline,
      processes: table.processes,
      protectedPids: new Set(never.keys()),
      otherSessions: [...live],
    }));

  const judge = (p: ProcessInfo, depth = 0): Verdict => {
    const known = verdicts.get(p.pid);
    if (known) return known;
    const verdict = decide(p, depth);
    verdicts.set(p.pid, verdict);
    return verdict;
  };

  const decide = (p: ProcessInfo, depth: number): Verdict => {
    const guard = never.get(p.pid);
    if (guard) return { kind: 'protected', reason: guard };
    if (!isNew(baseline, keys, p)) return { kind: 'old' };
    const rule = allowedBy(allow, p);
    if (rule) return { kind: 'allowed', reason: `allowed by "${rule.source}"` };
    const parent = tree.byPid.get(p.ppid);
    const inherited = parent && depth < 4096 ? judge(parent, depth + 1) : undefined;
    if (inherited?.kind === 'allowed')
      return {
        kind: 'allowed',
        reason: `descends from pid ${p.ppid}, ${inherited.reason.replace(/^descends from pid \d+, /, '')}`,
      };
    const own = directMembership(baseline, p, rules, live);
    if (own.kind === 'member') return { kind: 'member', finding: draft(p, own.attribution, [own.reason]) };
    if (inherited?.kind === 'member') {
      const from = inherited.finding;
      const reason = `descends from pid ${p.ppid} (${from.process.comm}), which ${from.reasons[0] ?? "is the job's"}`;
      return { kind: 'member', finding: draft(p, 'lineage', [reason], from.step) };
    }
    if (own.kind === 'foreign') return { kind: 'spared', reason: own.reason };
    if (own.kind === 'against') return own.marked ? { kind: 'spared', reason: own.reason } : { kind: 'none' };
    if (inherited?.kind === 'unattributed') {
      const from = inherited.finding;
      const reason = `descends from pid ${p.ppid} (${from.process.comm}), which ${from.reasons[0] ?? "may be the job's"}`;
      return { kind: 'unattributed', finding: draft(p, 'lineage', [reason, ...from.reasons.slice(1)], from.step) };
    }
    const why = options.timeWindow === false ? undefined : timeWindowReason(window, p);
    if (why === undefined) return { kind: 'none' };
    const activityNow = host();
    if (activityNow.quiet) {
      const quiet = 'no other job visible on this host (a guess: see "Leaks the marker cannot see")';
      return { kind: 'member', finding: draft(p, 'time-window', [why, quiet]) };
    }
    const ambiguous = `not attributed: another job was active (${activityNow.evidence.join('; ')})`;
    return { kind: 'unattributed', finding: draft(p, 'time-window', [why, ambiguous]) };
  };

  const findings: Finding[] = [];
  const zombies: ZombieFinding[] = [];
  const spared: Spared[] = [];
  const unattributed: Finding[] = [];
  const full = (f: Draft, p: ProcessInfo): Finding => ({
    ...f,
    ancestry: ancestorsOf(tree, p.pid),
    children: [...(tree.children.get(p.pid) ?? [])],
  });
  for (const p of table.processes) {
    const verdict = judge(p);
    if (verdict.kind === 'member') {
      if (isZombie(p)) zombies.push({ process: p, reaper: p.ppid });
      else findings.push(full(verdict.finding, p));
    } else if (verdict.kind === 'unattributed') {
      if (!isZombie(p)) unattributed.push(full(verdict.finding, p));
    } else if ((verdict.kind === 'spared' || verdict.kind === 'allowed') && !isZombie(p)) {
      spared.push({ process: p, reason: verdict.reason });
    }
  }
  return { findings, unattributed, zombies, spared };
}
