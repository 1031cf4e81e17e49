/** Helpers for termination tests: findings for known pids, a rescan, and a marker-based safety sweep. */
import { check, type Detection } from '../../src/engine/index.js';
import type { Finding } from '../../src/engine/findings.js';
import { rescanner } from '../../src/job/rescan.js';
import { pidMark } from '../../src/proc/index.js';
import { readLinuxTable } from '../../src/proc/linux.js';
import type { ProcessInfo } from '../../src/proc/types.js';
import type { Rescan, TerminationResult } from '../../src/terminate/types.js';
import { afterEach } from 'vitest';
import { isAlive, Leakers } from './leakers.js';
import { startTestJob, type TestJob } from './job.js';

/** A finding for a live pid, read from the table now (for cases detection would not produce). */
export function findingFor(pid: number, override: Partial<Finding['process']> = {}): Finding {
  const p = readLinuxTable().processes.find((q) => q.pid === pid);
  if (!p) throw new Error(`pid ${pid} is not in the process table`);
  return {
    process: { ...p, ...override },
    attribution: 'marker',
    reasons: ['test'],
    ancestry: [],
    children: [],
    step: undefined,
  };
}

/** What the post step would pass as `rescan`: the job's findings from a fresh table. */
export const rescanOf = (job: TestJob) => async (): Promise<Rescan> => {
  const again = await check(job.baseline);
  return { findings: again.detection.findings, processes: again.table.processes };
};

/** What finishJob hands termination: detection, its table, and its rescans (src/job/rescan.ts). */
export interface Detected {
  readonly detection: Detection;
  readonly processes: readonly ProcessInfo[];
  readonly rescan: () => Promise<Rescan>;
  /** How many rescans read the whole table (a check) instead of only what was new. */
  readonly wholeChecks: () => number;
}

/** Detects the job's processes and builds its rescans as finishJob does. */
export async function detectAsFinishJob(job: TestJob): Promise<Detected> {
  let whole = 0;
  const mark = pidMark();
  const { detection, table } = await check(job.baseline);
  const rescan = rescanner({
    baseline: job.baseline,
    options: {},
    targetsOf: (d) => d.findings,
    first: table,
    mark,
    check: () => {
      whole++;
      return check(job.baseline);
    },
  });
  return { detection, processes: table.processes, rescan, wholeChecks: () => whole };
}

/** The job's findings that still run: must be none after termination. */
export async function stillLeaking(job: TestJob): Promise<Finding[]> {
  return (await check(job.baseline)).detection.findings.filter((f) => isAlive(f.process.pid));
}

/**
 * Safety net for afterEach: SIGKILLs whatever still carries this test job's
 * marker (or descends from it), identity-checked, so a failing test leaves
 * nothing behind. Only ever processes this test started.
 */
export async function sweepJob(job: TestJob | undefined): Promise<void> {
  if (!job) return;
  for (let round = 0; round < 5; round++) {
    const left = (await check(job.baseline)).detection.findings;
    if (left.length === 0) return;
    // Stop all first, then kill: a respawning pair cannot restart what is already stopped.
    for (const signal of ['SIGSTOP', 'SIGKILL'] as const) {
      const table = new Map(readLinuxTable().processes.map((q) => [q.pid, q] as const));
      for (const f of left) {
        const now = table.get(f.process.pid);
        if (!now || now.start !== f.process.start) continue;
        try {
          process.kill(f.process.pid, signal);
        } catch {
          // gone already
        }
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const byPid = (results: readonly TerminationResult[], pid: number): TerminationResult | undefined =>
  results.find((r) => r.pid === pid);

/**
 * For a file whose tests start leakers for a test job: each call gives a
 * fresh pair, and after each test the job is swept (sweepJob) and the
 * leakers cleaned up, so a failing test leaves nothing behind.
 */
export function leakingJobs(): () => { readonly leakers: Leakers; readonly job: TestJob } {
  let current: { leakers: Leakers; job: TestJob } | undefined;
  afterEach(async () => {
    const done = current;
    current = undefined;
    if (!done) return;
    await sweepJob(done.job);
    await done.leakers.cleanup();
  });
  return () => {
    current = { leakers: new Leakers(), job: startTestJob() };
    return current;
  };
}
