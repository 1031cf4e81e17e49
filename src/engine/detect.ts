/**
 * Detection: baseline + current table → what the job left behind.
 *
 * Pure: no I/O, no clock, no signals. A live process is a finding only when
 * it is new (not in the baseline by pid + start time, started at or after job
 * start), it is the job's (its own marker, or descent from a process that has
 * one), and it is not protected (the checker, the runner chain, another job's,
 * or allowed by the user). A new process with no marker at all may still be
 * the job's by the time window (time-window.ts): attributed when the host was
 * quiet, reported as unattributed when another job was active.
 */
import { type Identity, type ProcessInfo, type ProcessTable, identityKey, isZombie } from '../proc/types.js';
import { hostActivity, type HostActivity } from './activity.js';
import { type Allowlist, allowedBy } from './allowlist.js';
import type { Baseline } from './baseline.js';
import type { Detection, Finding, Spared, ZombieFinding } from './findings.js';
import { type Membership, type MembershipRule, directMembership } from './membership.js';
import { CLI_STEP_VAR, STEP_VAR } from './session.js';
import { referenceCgroups, timeWindowReason } from './time-window.js';
import { ancestorsOf, buildTree, type Tree } from './tree.js';

export interface DetectOptions {
  /** The checking process (default: this one): it and its ancestors are never findings. */
  readonly checker?: number;
  readonly allow?: Allowlist;
  /** Further membership rules (cgroup, privileged read). */
  readonly rules?: readonly MembershipRule[];
  /** Attribute marker-less orphans by the time window (default true; false: marker, lineage and rules only). */
  readonly timeWindow?: boolean;
  /** STRAYS_SESSION values of other strays sessions active on this host (host state); default none. */
  readonly otherSessions?: readonly string[];
}

type Verdict =
  | { readonly kind: 'old' }
  | { readonly kind: 'protected'; readonly reason: string }
  | { readonly kind: 'member'; readonly finding: Omit<Finding, 'ancestry' | 'children'> }
  | { readonly kind: 'unattributed'; readonly finding: Omit<Finding, 'ancestry' | 'children'> }
  | { readonly kind: 'spared'; readonly reason: string }
  | { readonly kind: 'none' };

export function isNew(baseline: Baseline, baselineKeys: ReadonlySet<string>, p: Identity): boolean {
  return p.start >= baseline.start && !baselineKeys.has(identityKey(p));
}

/** Processes detection needs environments for: only the new ones (cheap, and fewer secrets in memory). */
export function newProcesses(baseline: Baseline, table: ProcessTable): ProcessInfo[] {
  const keys = new Set(baseline.processes.map(identityKey));
  return table.processes.filter((p) => isNew(baseline, keys, p));
}

/** Pids that must never be touched: the checker, its ancestors, and the runner chain recorded at job start. */
export function protectedPids(baseline: Baseline, tree: Tree, checker: number): Map<number, string> {
  const out = new Map<number, string>([[checker, 'is the checking process']]);
  for (const pid of ancestorsOf(tree, checker)) out.set(pid, 'is an ancestor of the checking process');
  for (const a of [baseline.snapshotter, ...baseline.ancestors]) {
    const live = tree.byPid.get(a.pid);
    if (live && live.start === a.start && !out.has(a.pid)) out.set(a.pid, 'is the runner chain recorded at job start');
  }
  return out;
}

export function detect(baseline: Baseline, table: ProcessTable, options: DetectOptions = {}): Detection {
  if (table.reader !== baseline.reader) {
    throw new Error(`The baseline was read with "${baseline.reader}" but this table with "${table.reader}": start stamps are not comparable.`);
  }
  const tree = buildTree(table.processes);
  const keys = new Set(baseline.processes.map(identityKey));
  const guarded = protectedPids(baseline, tree, options.checker ?? process.pid);
  const allow = options.allow ?? [];
  const rules = options.rules ?? [];
  const verdicts = new Map<number, Verdict>();
  const window = { baseline, tree, baselineKeys: keys, protectedPids: guarded, cgroups: referenceCgroups(baseline, tree, guarded) };
  let activity: HostActivity | undefined;
  const quietHost = (): HostActivity =>
    (activity ??= hostActivity({
      baseline,
      processes: table.processes,
      protectedPids: new Set(guarded.keys()),
      otherSessions: options.otherSessions,
    }));

  const judge = (p: ProcessInfo, depth = 0): Verdict => {
    const known = verdicts.get(p.pid);
    if (known) return known;
    const verdict = decide(p, depth);
    verdicts.set(p.pid, verdict);
    return verdict;
  };

  const decide = (p: ProcessInfo, depth: number): Verdict => {
    const guard = guarded.get(p.pid);
    if (guard) return { kind: 'protected', reason: guard };
    if (!isNew(baseline, keys, p)) return { kind: 'old' };
    const rule = allowedBy(allow, p);
    if (rule) return { kind: 'spared', reason: `allowed by "${rule.source}"` };
    const own: Membership = directMembership(baseline, p, rules);
    if (own.kind === 'foreign') return { kind: 'spared', reason: own.reason };
    const parent = tree.byPid.get(p.ppid);
    const inherited = parent && depth < 4096 ? judge(parent, depth + 1) : undefined;
    if (inherited?.kind === 'spared' && inherited.reason.startsWith('allowed')) {
      return { kind: 'spared', reason: `descends from pid ${p.ppid}, ${inherited.reason}` };
    }
    if (own.kind === 'member') {
      return { kind: 'member', finding: { process: p, attribution: own.attribution, reasons: [own.reason], step: stepOf(p) } };
    }
    if (inherited?.kind === 'member') {
      const from = inherited.finding;
      return {
        kind: 'member',
        finding: {
          process: p,
          attribution: 'lineage',
          reasons: [`descends from pid ${p.ppid} (${from.process.comm}), which ${from.reasons[0] ?? 'is the job\'s'}`],
          step: stepOf(p) ?? from.step,
        },
      };
    }
    if (own.kind !== 'unknown') return { kind: 'none' };
    if (inherited?.kind === 'unattributed') {
      const from = inherited.finding;
      const reasons = [`descends from pid ${p.ppid} (${from.process.comm}), which ${from.reasons[0] ?? 'may be the job\'s'}`, ...from.reasons.slice(1)];
      return { kind: 'unattributed', finding: { process: p, attribution: 'lineage', reasons, step: stepOf(p) ?? from.step } };
    }
    const why = options.timeWindow === false ? undefined : timeWindowReason(window, p);
    if (why === undefined) return { kind: 'none' };
    const host = quietHost();
    if (host.quiet) return { kind: 'member', finding: { process: p, attribution: 'time-window', reasons: [why], step: stepOf(p) } };
    const ambiguous = `not attributed: another job was active (${host.evidence.join('; ')})`;
    return { kind: 'unattributed', finding: { process: p, attribution: 'time-window', reasons: [why, ambiguous], step: stepOf(p) } };
  };

  const findings: Finding[] = [];
  const zombies: ZombieFinding[] = [];
  const spared: Spared[] = [];
  const unattributed: Finding[] = [];
  const full = (f: Omit<Finding, 'ancestry' | 'children'>, p: ProcessInfo): Finding => ({
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
    } else if (verdict.kind === 'spared' && !isZombie(p)) spared.push({ process: p, reason: verdict.reason });
  }
  return { findings, unattributed, zombies, spared };
}

function stepOf(p: ProcessInfo): string | undefined {
  const vars = p.env?.readable ? p.env.vars : undefined;
  return vars?.[STEP_VAR] || vars?.[CLI_STEP_VAR] || undefined;
}
