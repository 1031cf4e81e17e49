/**
 * The sweep as Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector (README, Metrics). The file is the only
 * state between runs, so the counter carries on the value in the file it
 * replaces; its directory is never created, since a typo must fail, not write
 * elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readRegularFile } from '../io/read-regular.js';
import { quoted } from '../text/untrusted.js';
import type { Outcome } from '../terminate/index.js';
import { writeOutputFile } from '../io/write-output.js';
import type { MarkedProcess } from './plan.js';
import type { SweepResult } from './sweep.js';

export const OUTCOMES: readonly Outcome[] = [
  'exited',
  'killed',
  'gone',
  'zombie',
  'survived',
  'not-permitted',
  'reported',
];

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type?: 'gauge' | 'counter';
  readonly samples: ReadonlyArray<{ readonly labels?: Readonly<Record<string, string>>; readonly value: number }>;
}

/** Label values escape backslash, double quote and newline (exposition format spec). */
const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type ?? 'gauge'}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const text = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      lines.push(`${f.name}${text} ${Number.isFinite(s.value) ? String(s.value) : 'NaN'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const oldest = (list: readonly MarkedProcess[]): number | undefined => {
  const ages = list.map((m) => m.ageMs).filter((a): a is number => a !== undefined);
  return ages.length === 0 ? undefined : Math.max(...ages) / 1000;
};

/** Outcomes after which a swept process no longer runs: what the counter counts. */
const ENDED: readonly Outcome[] = ['exited', 'killed', 'zombie'];

export const SWEPT_TOTAL = 'strays_swept_processes_total';

/** The counter's value in an earlier metrics file; 0 when there is none or it cannot be read. */
export function previousSweptTotal(file: string): number {
  let text: string;
  try {
    text = readRegularFile(file).text;
  } catch {
    return 0;
  }
  const match = new RegExp(`^${SWEPT_TOTAL} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

export interface MetricsContext {
  /** strays_swept_processes_total before this sweep. */
  readonly previousTotal?: number;
  /** strays_build_info's version label. */
  readonly version?: string;
}

export function sweepMetrics(result: SweepResult, context: MetricsContext = {}): string {
  const { plan, termination } = result;
  const counts = new Map<Outcome, number>(OUTCOMES.map((o) => [o, 0]));
  for (const r of termination.results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const leaked = [...plan.targetInfo.values()].filter((m) => m.job !== undefined);
  const leakedAge = oldest([...leaked, ...plan.young.filter((m) => m.job !== undefined)]);
  const unrecordedAge = oldest(plan.unrecorded);
  const jobs = (state: string): number => plan.jobs.filter((j) => j.state === state).length;
  const swept = termination.results.filter((r) => ENDED.includes(r.outcome)).length;
  return render([
    {
      name: SWEPT_TOTAL,
      type: 'counter',
      help: 'Processes sweeps have ended (exited after SIGTERM, killed, or left a zombie), over every sweep that wrote this file.',
      samples: [{ value: (context.previousTotal ?? 0) + swept }],
    },
    {
      name: 'strays_build_info',
      help: 'Always 1; the labels say which strays wrote this file.',
      samples: [{ labels: { version: context.version ?? 'unknown', node: process.version }, value: 1 }],
    },
    {
      name: 'strays_sweep_leaked_processes',
      help: 'Live processes of jobs that are over (owner gone) found by the last sweep, any age.',
      samples: [{ value: leaked.length + plan.young.filter((m) => m.job !== undefined).length }],
    },
    {
      name: 'strays_sweep_processes',
      help: 'Processes the last sweep acted on, by outcome (reported = not signalled: dry run).',
      samples: OUTCOMES.map((o) => ({ labels: { outcome: o }, value: counts.get(o) ?? 0 })),
    },
    {
      name: 'strays_sweep_young_processes',
      help: 'Marked processes spared by the last sweep for being younger than --older-than.',
      samples: [{ value: plan.young.length }],
    },
    {
      name: 'strays_sweep_unrecorded_processes',
      help: 'Live processes carrying a job marker that no job record names.',
      samples: [{ value: plan.unrecorded.length }],
    },
    {
      name: 'strays_sweep_live_job_processes',
      help: 'Marked processes of jobs whose owner is alive (never touched).',
      samples: [{ value: plan.live.length }],
    },
    {
      name: 'strays_sweep_oldest_process_age_seconds',
      help: 'Age of the oldest leaked (job over) or unrecorded process in the last sweep; absent when there was none.',
      samples: [
        ...(leakedAge === undefined ? [] : [{ labels: { kind: 'leaked' }, value: leakedAge }]),
        ...(unrecordedAge === undefined ? [] : [{ labels: { kind: 'unrecorded' }, value: unrecordedAge }]),
      ],
    },
    {
      name: 'strays_sweep_jobs',
      help: 'Job records by state: over (owner gone), live, unknown (cannot tell, left alone), corrupt (skipped).',
      samples: [
        { labels: { state: 'over' }, value: jobs('over') },
        { labels: { state: 'live' }, value: jobs('live') },
        { labels: { state: 'unknown' }, value: jobs('unknown') },
        { labels: { state: 'corrupt' }, value: result.corrupt.length },
      ],
    },
    {
      name: 'strays_sweep_job_cgroups_removed',
      help: 'Empty job cgroups (ends that never ran) the last sweep removed (dry run: would remove).',
      samples: [{ value: result.cgroups.removed.length }],
    },
    {
      name: 'strays_sweep_dry_run',
      help: '1 when the last sweep was a dry run (nothing signalled).',
      samples: [{ value: result.options.dryRun ? 1 : 0 }],
    },
    {
      name: 'strays_sweep_duration_seconds',
      help: 'How long the last sweep took.',
      samples: [{ value: result.durationMs / 1000 }],
    },
    {
      name: 'strays_sweep_last_run_timestamp_seconds',
      help: 'When the last sweep ran, seconds since the epoch.',
      samples: [{ value: Math.floor(result.at / 1000) }],
    },
  ]);
}

/**
 * Writes atomically in the file's own directory (the collector never reads
 * half a file), carrying the counter on. The directory must already exist.
 */
export function writeSweepMetrics(file: string, result: SweepResult, version?: string): void {
  requireDirectory(file);
  // The one writer of outputs (never a device, FIFO or directory); 0644: node_exporter reads it as its own user.
  writeOutputFile(file, sweepMetrics(result, { previousTotal: previousSweptTotal(file), version }), 0o644);
}

/** Throws one sentence when the file's directory is missing or not a directory. */
export function requireDirectory(file: string): void {
  const dir = path.dirname(path.resolve(file));
  let ok = false;
  try {
    ok = fs.statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok)
    throw new Error(
      `directory ${quoted(dir)} does not exist; strays never creates it. Create it (node_exporter's --collector.textfile.directory) or give a file in an existing directory.`,
    );
}
