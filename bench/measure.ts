/**
 * The measurements of one table size. Each returns medians of `runs`
 * repetitions; tasks compared with each other run interleaved.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import psList from 'ps-list';
import { type GuardOptions, parseGuardOptions } from '../src/config/options.js';
import { CLI_SETTING_NAMES } from '../src/cli/guard.js';
import {
  type Baseline,
  type Detection,
  SESSION_VAR,
  check,
  detect,
  readCurrent,
  saveBaseline,
  snapshot,
} from '../src/engine/index.js';
import { beginJob } from '../src/job/begin.js';
import { finishJob } from '../src/job/finish.js';
import { rescanner } from '../src/job/rescan.js';
import { lineageOnly, pidMark, readTable } from '../src/proc/index.js';
import { readLinuxTable } from '../src/proc/linux.js';
import { terminate } from '../src/terminate/index.js';
import { Input } from '../src/action/constants.js';
import { ActionJob, runProcess } from './action.js';
import { timedEnv } from './runtime.js';
import { endLeaks, startLeaks } from './leaks.js';
import { interleaved, median, timed } from './timing.js';

const run = promisify(execFile);
export const guardOptions = (grace: string): GuardOptions =>
  parseGuardOptions({ grace, isolation: 'marker' }, CLI_SETTING_NAMES);

export interface SnapshotTimes {
  readonly processes: number;
  /** readLinuxTable() with every field of every process (what ps-list returns, and more). */
  readonly fullMs: number;
  /** What the pre step reads (beginJob): stat for every process, argv and owner for its own chain. */
  readonly preReadMs: number;
  /** What the post step reads: readCurrent (identity for old processes, full rows and details for new ones). */
  readonly postReadMs: number;
  readonly psListMs: number;
  readonly psMs: number;
}

export async function snapshotTimes(runs: number, baseline: Baseline): Promise<SnapshotTimes> {
  const t = await interleaved(runs, {
    full: () => readLinuxTable(),
    preRead: () => readTable(undefined, lineageOnly()),
    postRead: () => readCurrent(baseline),
    psList: () => psList(),
    ps: () => run('ps', ['-eo', 'pid,ppid,pgid,sid,stat,lstart,args'], { maxBuffer: 64 << 20 }),
  });
  return {
    processes: readLinuxTable().processes.length,
    fullMs: median(t.full as number[]),
    preReadMs: median(t.preRead as number[]),
    postReadMs: median(t.postRead as number[]),
    psListMs: median(t.psList as number[]),
    psMs: median(t.ps as number[]),
  };
}

export async function detectMs(runs: number, baseline: Baseline): Promise<number> {
  const { table } = await readCurrent(baseline);
  const t = await interleaved(runs, { detect: () => detect(baseline, table, { checker: process.pid }) });
  return median(t.detect as number[]);
}

/** beginJob as the pre step runs it, in this (warm) process: marker isolation, no host-state record. */
export async function beginMs(runs: number): Promise<number> {
  const t = await interleaved(runs, {
    begin: () => beginJob({ isolation: 'marker', owner: () => undefined, cgroupPid: undefined, register: false }),
  });
  return median(t.begin as number[]);
}

/** finishJob on a clean job, in this (warm) process. */
export async function finishMs(runs: number, baseline: Baseline): Promise<number> {
  const options = guardOptions('5s');
  const t = await interleaved(runs, { finish: () => finishJob({ baseline, options }) });
  return median(t.finish as number[]);
}

export interface ChildPost {
  readonly ms: number;
  readonly rssMb: number;
}

/** finishJob on a clean job in a fresh process (this bundle, --child-post): cold wall time and peak RSS. */
export async function childPost(
  runs: number,
  baseline: Baseline,
  dir: string,
  self: string,
  node: string,
): Promise<ChildPost> {
  const file = path.join(dir, 'child.baseline.json');
  saveBaseline(file, baseline);
  const ms: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runProcess(node, [self, '--child-post', file], timedEnv(process.env));
    const line = r.output.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(line) as { ms: number; maxRssKb: number; findings: number };
    if (parsed.findings !== 0) throw new Error(`clean job has ${parsed.findings} findings`);
    ms.push(r.ms);
    rss.push(parsed.maxRssKb / 1024);
  }
  return { ms: median(ms), rssMb: median(rss) };
}

/** The --child-post side: one clean post step, then its numbers on stdout. */
export async function childPostMain(file: string): Promise<void> {
  const { loadBaseline } = await import('../src/engine/baseline-file.js');
  const start = performance.now();
  const result = await finishJob({ baseline: loadBaseline(file), options: guardOptions('5s') });
  const ms = performance.now() - start;
  console.log(
    JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, findings: result.detection.findings.length }),
  );
}

export interface DistTimes {
  readonly floorMs: number;
  /** The runner-cleanup yardstick (bench/runner-cleanup.cjs): every /proc/PID/environ read, kill by RUNNER_TRACKING_ID. */
  readonly cleanupMs: number;
  readonly preMs: number | undefined;
  readonly postMs: number | undefined;
  /** bench/core-floor.ts in post's place: the input and output of any clean post step on @actions/core. */
  readonly coreFloorMs: number | undefined;
  readonly coreFloorVsCleanup: number | undefined;
  /** Medians of the per-run ratios: each run times the floor, the yardstick, pre and post back to back. */
  readonly preVsCleanup: number | undefined;
  readonly postVsCleanup: number | undefined;
  readonly preVsFloor: number | undefined;
  readonly postVsFloor: number | undefined;
  readonly postRssMb: number | undefined;
  /** The isolation the pre step used ("isolation: cgroup …" in its log): what `auto` chose here. */
  readonly used: string | undefined;
  readonly failures: readonly string[];
}

/**
 * dist/pre and dist/post on a clean job as whole processes, each run beside
 * `node -e 0` and the runner-cleanup yardstick on the same table; post's RSS
 * through a --require hook in a separate, untimed run.
 */
export async function distTimes(
  runs: number,
  distDir: string,
  dir: string,
  cleanupScript: string,
  coreFloorScript: string,
  node: string,
  isolation?: string,
): Promise<DistTimes> {
  const inputs = isolation === undefined ? {} : { [Input.Isolation]: isolation };
  const have = fs.existsSync(path.join(distDir, 'pre/index.js')) && fs.existsSync(path.join(distDir, 'post/index.js'));
  const floor: number[] = [];
  const cleanup: number[] = [];
  const pre: number[] = [];
  const post: number[] = [];
  const coreFloor: number[] = [];
  const ratios = {
    preVsCleanup: [] as number[],
    postVsCleanup: [] as number[],
    preVsFloor: [] as number[],
    postVsFloor: [] as number[],
    coreFloorVsCleanup: [] as number[],
  };
  const rss: number[] = [];
  const failures: string[] = [];
  let used: string | undefined;
  const hook = path.join(dir, 'rss-hook.cjs');
  fs.writeFileSync(
    hook,
    "process.on('exit', () => require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
  );
  for (let i = 0; i < runs; i++) {
    const job = new ActionJob(fs.mkdtempSync(path.join(dir, 'job-')), distDir, node, inputs);
    const f = (await runProcess(node, ['-e', '0'], timedEnv(process.env))).ms;
    const c = await job.script(cleanupScript);
    if (c.code !== 0 || c.output !== '') failures.push(`runner cleanup exited ${c.code}: ${c.output.slice(-300)}`);
    floor.push(f);
    cleanup.push(c.ms);
    if (!have) continue;
    const p = await job.step('pre');
    const q = await job.step('post');
    const k = await job.asStep(coreFloorScript);
    for (const [name, r] of [
      ['dist/pre', p],
      ['dist/post', q],
      ['the core floor', k],
    ] as const)
      if (r.code !== 0) failures.push(`${name} exited ${r.code}: ${r.output.slice(-300)}`);
    used ??= /isolation: (cgroup|marker)/.exec(p.output)?.[1];
    pre.push(p.ms);
    post.push(q.ms);
    coreFloor.push(k.ms);
    ratios.coreFloorVsCleanup.push(k.ms / c.ms);
    ratios.preVsCleanup.push(p.ms / c.ms);
    ratios.postVsCleanup.push(q.ms / c.ms);
    ratios.preVsFloor.push(p.ms / f);
    ratios.postVsFloor.push(q.ms / f);
    // A second clean job, post measured with the RSS hook (kept out of the timed runs).
    const measured = new ActionJob(fs.mkdtempSync(path.join(dir, 'job-')), distDir, node, inputs);
    await measured.step('pre');
    const rssFile = path.join(measured.root, 'rss');
    await measured.step('post', { NODE_OPTIONS: `--require ${hook}`, BENCH_RSS_FILE: rssFile });
    if (fs.existsSync(rssFile)) rss.push(Number(fs.readFileSync(rssFile, 'utf8')) / 1024);
  }
  const m = (v: number[]): number | undefined => (have ? median(v) : undefined);
  return {
    floorMs: median(floor),
    cleanupMs: median(cleanup),
    preMs: m(pre),
    postMs: m(post),
    coreFloorMs: m(coreFloor),
    coreFloorVsCleanup: m(ratios.coreFloorVsCleanup),
    preVsCleanup: m(ratios.preVsCleanup),
    postVsCleanup: m(ratios.postVsCleanup),
    preVsFloor: m(ratios.preVsFloor),
    postVsFloor: m(ratios.postVsFloor),
    postRssMb: rss.length > 0 ? median(rss) : undefined,
    used,
    failures,
  };
}

export interface TerminationTimes {
  readonly ms: number;
  readonly outcomes: string;
  readonly leftBehind: number;
}

/**
 * terminate() on `count` leaks found by check(), `ignoring` of them deaf to
 * SIGTERM, called as finishJob calls it: with detection's table and its
 * rescans (src/job/rescan.ts).
 */
export async function terminationTimes(
  runs: number,
  count: number,
  ignoring: number,
  grace: string,
): Promise<TerminationTimes> {
  const options = guardOptions(grace);
  const ms: number[] = [];
  const outcomes = new Map<string, number>();
  let leftBehind = 0;
  for (let i = 0; i < runs; i++) {
    const baseline = await snapshot();
    const leaks = await startLeaks(count, ignoring, { ...process.env, [SESSION_VAR]: baseline.session });
    try {
      const detectOptions = { checker: process.pid };
      const runCheck = () => check(baseline, detectOptions);
      const mark = pidMark();
      const { detection, table } = await runCheck();
      if (detection.findings.length !== count) throw new Error(`found ${detection.findings.length} of ${count} leaks`);
      const targetsOf = (d: Detection) => d.findings;
      const t = await timed(() =>
        terminate(detection.findings, {
          graceMs: options.graceMs,
          kill: true,
          processes: table.processes,
          rescan: rescanner({ baseline, options: detectOptions, targetsOf, first: table, mark, check: runCheck }),
        }),
      );
      ms.push(t.ms);
      for (const r of t.value.results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    } finally {
      leftBehind += endLeaks(leaks);
    }
  }
  const summary = [...outcomes].map(([k, n]) => `${Math.round(n / runs)} ${k}`).join(', ');
  return { ms: median(ms), outcomes: summary, leftBehind };
}

export const cores = (): number => os.availableParallelism?.() ?? os.cpus().length;
