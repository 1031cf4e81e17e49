/**
 * buildReport: detection + termination + explanations → the report document.
 * Pure: every fact was gathered before (explanations must be taken before
 * termination, while the processes and their sockets still exist).
 */
import type { GuardOptions } from '../config/options.js';
import { type Baseline, type Detection, type Finding, stepOf } from '../engine/index.js';
import type { Explanation } from '../explain/index.js';
import { identityKey } from '../proc/index.js';
import type { Outcome, Termination, TerminationResult } from '../terminate/index.js';
import { keepArgv } from './argv.js';
import { byAttention, groupEntries } from './order.js';
import { redactDeep, redactText } from './redact.js';
import { type HoldsEntry, type LeakEntry, REPORT_VERSION, type Report, type ReportContext } from './types.js';

export interface BuildReportInput {
  readonly baseline: Baseline;
  readonly detection: Detection;
  readonly termination: Termination | undefined;
  readonly explanations: ReadonlyMap<number, Explanation>;
  readonly options: Pick<GuardOptions, 'kill' | 'graceMs' | 'failOnLeak'>;
  readonly context: ReportContext;
  /** Facts about the check (unreadable environments, a refused helper …), kept once in the report. */
  readonly notes?: readonly string[] | undefined;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

const UNKNOWN_HOLDS: HoldsEntry = {
  listening: [],
  cwd: undefined,
  cwdInWorkspace: undefined,
  cwdPlace: undefined,
  openFiles: [],
  fds: 'unknown',
  fdsReason: 'not explained (found while terminating)',
  fdsRead: undefined,
  fdsTotal: undefined,
  fdsCapped: false,
  children: [],
};

export function buildReport(input: BuildReportInput): Report {
  const { detection, context, options, baseline } = input;
  const results = new Map<string, TerminationResult>();
  for (const r of input.termination?.results ?? []) results.set(identityKey(r), r);
  const stepNames = context.stepNames ?? {};
  const showSecrets = context.showSecrets === true;
  const text = (t: string): string => (showSecrets ? t : redactText(t));
  const kept = (p: Finding['process']) => keepArgv(p.argv, p.comm, showSecrets);

  const entry = (f: Finding): Omit<LeakEntry, 'group'> => {
    const p = f.process;
    const x = input.explanations.get(p.pid);
    const e = x && x.start === p.start ? x : undefined; // an explanation of a reused pid is not this process's
    const r = results.get(identityKey(p));
    const startedAt = p.startedAt;
    const argv = kept(p);
    return {
      pid: p.pid,
      start: p.start,
      command: argv.command,
      argv: argv.argv,
      commandLength: argv.commandLength,
      argvCount: argv.argvCount,
      truncated: argv.truncated,
      comm: text(p.comm),
      uid: p.uid,
      user: e?.user,
      startedAt: iso(startedAt),
      ageMs: e?.ageMs ?? (startedAt === undefined ? undefined : Math.max(0, context.checkedAt - startedAt)),
      step: f.step === undefined ? undefined : text(f.step),
      stepName: f.step === undefined ? undefined : stepNames[f.step],
      attribution: f.attribution,
      reasons: f.reasons,
      ancestry: e?.chain ?? [],
      ancestryEndsAt: e?.endsAt,
      ppid: p.ppid,
      reparented: e?.reparented,
      sessionLeader: e?.sessionLeader ?? (p.sid === undefined ? undefined : p.sid === p.pid),
      groupLeader: p.pid === p.pgid,
      state: p.state,
      stopped: p.state === 'T' || p.state === 't',
      uninterruptible: p.state === 'D',
      wchan: e?.wchan,
      zombieChildren: e?.zombieChildren ?? [],
      holds: e?.holds ?? UNKNOWN_HOLDS,
      outcome: r?.outcome ?? 'reported',
      signals: r?.signals ?? [],
      via: r?.via ?? 'none',
      detail: r?.detail ?? (r?.reaper === undefined ? undefined : `pid ${r.reaper} must reap it`),
    };
  };

  const seen = new Set(detection.findings.map((f) => identityKey(f.process)));
  const added = (input.termination?.added ?? []).filter((f) => !seen.has(identityKey(f.process)));
  const leakEntries = inheritSteps([...detection.findings, ...added].map(entry));
  leakEntries.sort(byAttention(leakEntries));
  const unattributedEntries = inheritSteps(detection.unattributed.map(entry));
  unattributedEntries.sort(byAttention(unattributedEntries));
  const leakGroups = groupEntries('leaks', leakEntries, 0);
  const unattributedGroups = groupEntries('unattributed', unattributedEntries, leakGroups.groups.length);
  const leaks: LeakEntry[] = leakEntries.map((l, i) => ({ ...l, group: leakGroups.index[i] as number }));
  const unattributed: LeakEntry[] = unattributedEntries.map((l, i) => ({
    ...l,
    group: unattributedGroups.index[i] as number,
  }));
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const l of [...leaks, ...unattributed]) outcomes[l.outcome] = (outcomes[l.outcome] ?? 0) + 1;

  const report: Report = {
    version: REPORT_VERSION,
    tool: 'strays',
    session: baseline.session,
    runnerTrackingId: baseline.runnerTrackingId,
    host: context.host,
    workspace: context.workspace,
    runnerTemp: context.runnerTemp,
    isolation: context.isolation,
    times: {
      jobStartedAt: new Date(baseline.takenAt).toISOString(),
      checkedAt: new Date(context.checkedAt).toISOString(),
      terminationMs: input.termination?.durationMs,
    },
    mode: { kill: options.kill, graceMs: options.graceMs, failOnLeak: options.failOnLeak },
    failed: options.failOnLeak && leaks.length > 0, // unattributed never fails the job: it is not proven
    counts: {
      leaked: leaks.length,
      unattributed: unattributed.length,
      zombies: detection.zombies.length,
      spared: detection.spared.length,
      outcomes,
    },
    leaks,
    unattributed,
    groups: [...leakGroups.groups, ...unattributedGroups.groups],
    zombies: detection.zombies.map((z) => ({
      pid: z.process.pid,
      command: kept(z.process).command,
      // A zombie's environment is gone with its memory: its step is its parent's, when the parent is a leak.
      step: text(stepOf(z.process) || leaks.find((l) => l.pid === z.reaper)?.step || '') || undefined,
      reaper: z.reaper,
    })),
    spared: detection.spared.map((s) => ({ pid: s.process.pid, command: kept(s.process).command, reason: s.reason })),
    notes: [...new Set(input.notes ?? [])],
    redacted: !showSecrets,
  };
  // The field-aware pass above knows argv; this one catches a token shape anywhere else (a path, a step name, a note).
  return showSecrets ? report : { ...redactDeep(report, REDACTED_BY_WORD), session: report.session, redacted: true };
}

/** Fields keepArgv already redacted word by word (argv.ts), and the shape made from them. */
const REDACTED_BY_WORD: ReadonlySet<string> = new Set(['argv', 'command', 'shape']);

/**
 * A process whose environment is gone or unreadable (it rewrote its argv
 * over it, like redis-server, or cleared it) takes the step of its nearest
 * leaked ancestor: the step that started that ancestor started it too.
 */
function inheritSteps<T extends Pick<LeakEntry, 'pid' | 'ppid' | 'step' | 'stepName'>>(entries: T[]): T[] {
  const byPid = new Map(entries.map((e) => [e.pid, e]));
  return entries.map((e) => {
    if (e.step !== undefined) return e;
    let parent = byPid.get(e.ppid);
    for (let hops = 0; parent !== undefined && parent.step === undefined && hops < 64; hops++)
      parent = byPid.get(parent.ppid);
    return parent?.step === undefined ? e : { ...e, step: parent.step, stepName: parent.stepName };
  });
}

/** The report with more notes (an adapter's facts, the job start's), deduplicated, redacted like the rest. */
export function withNotes(report: Report, notes: readonly string[]): Report {
  const extra = report.redacted ? notes.map(redactText) : notes;
  return { ...report, notes: [...new Set([...report.notes, ...extra])] };
}
