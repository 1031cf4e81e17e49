/**
 * The sweep told to people (console) and to programs (JSON file).
 *
 * Only marker variables appear (STRAYS_SESSION, RUNNER_TRACKING_ID): they were
 * the only ones read, and environments hold secrets.
 */
import os from 'node:os';
import { formatDuration } from '../config/duration.js';
import { identityKey } from '../proc/index.js';
import type { TerminationResult } from '../terminate/index.js';
import { writeOutputFile } from '../io/write-output.js';
import { keepArgv } from '../report/index.js';
import { untrusted } from '../text/untrusted.js';
import type { MarkedProcess } from './plan.js';
import { jobsDir, listingNotes } from './registry.js';
import type { SweepResult } from './sweep.js';

export const SWEEP_KIND = 'strays-sweep';
export const SWEEP_VERSION = 1;

const age = (ms: number | undefined): string => (ms === undefined ? 'age unknown' : `age ${formatDuration(ms)}`);
const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms / 1000));
// Marker values, command lines and whatever the termination says about a process are anyone's
// text: each goes through untrusted() so it stays on its line and starts no workflow command.
const marks = (m: MarkedProcess): string =>
  [
    m.session && `STRAYS_SESSION=${untrusted(m.session, 128)}`,
    m.trackingId && `RUNNER_TRACKING_ID=${untrusted(m.trackingId, 128)}`,
  ]
    .filter(Boolean)
    .join(' ');
// Command lines are redacted and capped like a report's (src/report/argv.ts): the sweep log and JSON are not masked by any runner.
const kept = (p: Pick<MarkedProcess['process'], 'argv' | 'comm'>) => keepArgv(p.argv, p.comm, false);
const what = (m: MarkedProcess): string => `pid ${m.process.pid} ${untrusted(kept(m.process).command)}`;

/** Failures worth a non-zero exit: a process we meant to end is still running. */
export const unended = (result: SweepResult): TerminationResult[] =>
  result.termination.results.filter((r) => r.outcome === 'survived' || r.outcome === 'not-permitted');

export function renderSweep(result: SweepResult, quiet = false): string {
  const { plan, termination, options } = result;
  const out: string[] = [];
  const by = new Map(termination.results.map((r) => [identityKey(r), r] as const));
  const over = plan.jobs.filter((j) => j.state === 'over').length;
  if (!quiet) {
    out.push(
      `strays sweep${options.dryRun ? ' (dry run: nothing signalled)' : ''}: ${plan.jobs.length} job record(s) in ${result.stateDir}, ` +
        `${over} over, ${plan.jobs.length - over} live; processes at least ${formatDuration(options.olderThanMs)} old.`,
    );
  }
  const listing = listingNotes({ ...result, dir: jobsDir(result.stateDir) });
  for (const line of listing) out.push(`  ${line}; nothing is ended on its account`);
  for (const t of plan.targets) {
    const m = plan.targetInfo.get(t.process.pid) as MarkedProcess;
    const r = by.get(identityKey(t.process));
    const outcome = r ? `${r.outcome}${r.detail ? ` (${untrusted(r.detail, 300)})` : ''}` : 'not handled';
    out.push(
      `  ${options.dryRun ? 'would end' : 'ended'}: ${what(m)} (${age(m.ageMs)}) ${m.job ? `of job ${m.job}: ${t.reasons[1] ?? ''}` : `(${marks(m)}, unrecorded)`} → ${outcome}`,
    );
  }
  for (const w of termination.notes ?? []) out.push(`  warning: ${untrusted(w, 500)}`);
  for (const f of termination.added)
    out.push(`  also ended (forked during the sweep): pid ${f.process.pid} ${untrusted(kept(f.process).command)}`);
  for (const m of plan.refused) {
    const record = plan.jobs.find((j) => j.record.session === m.job)?.record;
    out.push(
      `  left alone, not this record's to end: ${what(m)} (uid ${m.process.uid ?? 'unknown'}) carries the marker of job ${m.job ?? '?'}, ` +
        `whose record is owned by uid ${record?.fileUid ?? 'unknown'}; a record only ends processes of its own user (or any, when root's)`,
    );
  }
  if (!quiet) {
    for (const m of plan.young)
      out.push(`  spared, younger than --older-than: ${what(m)} (${age(m.ageMs)})${m.job ? ` of job ${m.job}` : ''}`);
    // One line per marker: a leaked job often left many processes.
    const left = new Map<string, MarkedProcess[]>();
    for (const m of plan.unrecorded.filter((u) => !plan.targetInfo.has(u.process.pid) && !plan.young.includes(u)))
      left.set(marks(m), [...(left.get(marks(m)) ?? []), m]);
    for (const [marker, list] of left) {
      const ages = list.map((m) => m.ageMs).filter((a): a is number => a !== undefined);
      const shown = list.slice(0, 3).map(what).join('; ') + (list.length > 3 ? `; +${list.length - 3} more` : '');
      out.push(
        `  unrecorded, left alone: ${marker}: ${list.length} process(es)${ages.length > 0 ? `, oldest ${formatDuration(Math.max(...ages))}` : ''} (${shown}); ` +
          `no job record names it${options.unrecorded ? '' : ', --unrecorded with --older-than would end it'}`,
      );
    }
    if (plan.live.length > 0) out.push(`  ${plan.live.length} process(es) of live jobs left alone.`);
    if (result.othersUnreadable > 0) {
      out.push(
        `  ${result.othersUnreadable} record(s) of other users not readable to this user (mode 0640): their jobs are unknown here, their processes left alone.`,
      );
    }
    if (plan.unreadable > 0)
      out.push(`  ${plan.unreadable} process(es) with unreadable environments (other users') left alone.`);
    if (result.pruned.length > 0)
      out.push(
        `  ${options.dryRun ? 'would remove' : 'removed'} the record(s) of ${result.pruned.length} finished job(s): ${result.pruned.join(', ')}`,
      );
    if (result.cgroups.thawed.length > 0)
      out.push(
        `  thawed ${result.cgroups.thawed.length} frozen job cgroup(s) of finished jobs: ${result.cgroups.thawed.join(', ')}`,
      );
    if (result.cgroups.removed.length > 0)
      out.push(
        `  ${options.dryRun ? 'would remove' : 'removed'} ${result.cgroups.removed.length} empty job cgroup(s): ${result.cgroups.removed.join(', ')}`,
      );
    if (plan.targets.length === 0 && listing.length === 0 && plan.refused.length === 0) out.push('  nothing to end.');
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

const entry = (m: MarkedProcess) => ({
  pid: m.process.pid,
  start: m.process.start,
  comm: m.process.comm,
  argv: kept(m.process).argv,
  ageSeconds: seconds(m.ageMs),
  session: m.session,
  runnerTrackingId: m.trackingId,
  job: m.job,
});

export function sweepJson(result: SweepResult): object {
  const { plan, termination } = result;
  const by = new Map(termination.results.map((r) => [identityKey(r), r] as const));
  return {
    kind: SWEEP_KIND,
    version: SWEEP_VERSION,
    host: os.hostname(),
    at: new Date(result.at).toISOString(),
    durationMs: result.durationMs,
    stateDir: result.stateDir,
    options: result.options,
    jobs: plan.jobs.map((j) => ({
      session: j.record.session,
      runnerTrackingId: j.record.runnerTrackingId,
      state: j.state,
      reason: j.reason,
      owner: j.record.owner,
      startedAt: new Date(j.record.startedAt).toISOString(),
    })),
    targets: plan.targets.map((t) => {
      const r = by.get(identityKey(t.process));
      return {
        ...entry(plan.targetInfo.get(t.process.pid) as MarkedProcess),
        reasons: t.reasons,
        outcome: r?.outcome,
        signals: r?.signals ?? [],
        via: r?.via,
        detail: r?.detail,
      };
    }),
    added: termination.added.map((f) => ({
      pid: f.process.pid,
      start: f.process.start,
      comm: f.process.comm,
      reasons: f.reasons,
    })),
    young: plan.young.map(entry),
    unrecorded: plan.unrecorded.map(entry),
    liveJobProcesses: plan.live.length,
    unreadable: plan.unreadable,
    refused: plan.refused.map(entry),
    refusedFolder: result.refused,
    othersUnreadable: result.othersUnreadable,
    unread: result.unread ?? 0,
    corrupt: result.corrupt,
    pruned: result.pruned,
    cgroups: result.cgroups,
    warnings: termination.notes ?? [], // the JSON name of terminate's notes, kept for existing readers
  };
}

export function writeSweepJson(file: string, result: SweepResult): void {
  // The one writer of outputs (never a device, FIFO or directory); 0600: argv may hold secrets.
  // Missing directories are created, as sweep --json always did (checked by validateOutputFile with createParents).
  writeOutputFile(file, `${JSON.stringify(sweepJson(result), null, 2)}\n`, 0o600, {
    option: '--json',
    createParents: true,
  });
}
