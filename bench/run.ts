/**
 * `npm run bench` (scripts/bench.mjs bundles this and runs it in a private
 * PID namespace): how much a guarded job pays for strays, at process tables
 * of about 100, 1,000 and 4,000 live processes that the bench starts and ends
 * itself by pid. Medians of --runs repetitions (default 5); every ratio is of
 * two numbers from the same run, because the machines are shared and noisy.
 * Exits 0 even when a target is missed: it measures, it does not judge CI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../src/engine/index.js';
import { Crowd } from './crowd.js';
import {
  beginMs,
  childPost,
  childPostMain,
  cores,
  detectMs,
  distTimes,
  finishMs,
  snapshotTimes,
  terminationTimes,
} from './measure.js';
import { childHostedMain, hostedTimes } from './hosted.js';
import { type SizeResult, printResults } from './report.js';
import { type Runtime, runtime } from './runtime.js';
import { timed } from './timing.js';

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '..');
/** Plain Node, not bundled: the yardstick runs as written. */
const RUNNER_CLEANUP = path.join(REPO, 'bench', 'runner-cleanup.cjs');
/** bench/core-floor.ts as scripts/bench.mjs bundles it: the input and output of a clean post step on @actions/core. */
const CORE_FLOOR = path.join(REPO, '.bench', 'core-floor', 'index.js');

interface Args {
  readonly runs: number;
  readonly sizes: readonly number[];
  readonly leaks: number;
  /** Where the action bundles are: dist/ as committed, or .bench/dist built from src/ (--fresh-dist). */
  readonly dist: string;
  /** The action's isolation input for dist/pre and dist/post (--isolation); default action.yml's. */
  readonly isolation: string | undefined;
  /** The Node that runs every timed process (--node PATH), and what was left out of their environment. */
  readonly runtime: Runtime;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(value('--runs') ?? 5);
  const sizes = (value('--sizes') ?? '100,1000,4000').split(',').map(Number);
  const leaks = Number(value('--leaks') ?? 300);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs "${value('--runs')}": expected a whole number ≥ 1`);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`--sizes "${value('--sizes')}": expected comma-separated whole numbers`);
  if (!Number.isInteger(leaks) || leaks < 1)
    throw new Error(`--leaks "${value('--leaks')}": expected a whole number ≥ 1`);
  const dist = argv.includes('--fresh-dist') ? path.join(REPO, '.bench', 'dist') : path.join(REPO, 'dist');
  const isolation = value('--isolation');
  if (isolation !== undefined && !['auto', 'cgroup', 'marker'].includes(isolation))
    throw new Error(`--isolation "${isolation}": expected auto, cgroup or marker`);
  return { runs, sizes: [...sizes].sort((a, b) => a - b), leaks, dist, isolation, runtime: runtime(value('--node')) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child-post') return childPostMain(argv[1] as string);
  if (argv[0] === '--child-hosted') return childHostedMain(argv[1] as string);
  const args = parseArgs(argv);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strays-bench-'));
  const crowd = new Crowd();
  const results: SizeResult[] = [];
  const began = Date.now();
  console.log(
    `strays bench: ${cores()} cores, node ${process.version}, PID namespace: ${process.env.STRAYS_BENCH_NAMESPACE ?? 'unknown'}, ` +
      `${args.runs} runs per cell (medians), ${args.leaks} leaks per termination run, bundles from ${path.relative(REPO, args.dist)}/, ` +
      `isolation ${args.isolation ?? 'as action.yml (auto)'}`,
  );
  const { node, version, removed } = args.runtime;
  console.log(
    `timed processes: node ${version} (${node}); left out of their environment, as a runner step has none: ${removed.length > 0 ? removed.join(', ') : 'nothing (no NODE_* variable set)'}`,
  );
  try {
    for (const size of args.sizes) {
      // The crowd tops the table up to `size`; the bench's own few processes are on top.
      const grown = await timed(() => crowd.growTo(Math.max(0, size - 5)));
      const baseline = await snapshot();
      const snap = await snapshotTimes(args.runs, baseline);
      process.stdout.write(
        `  ${snap.processes} processes (crowd started in ${(grown.ms / 1000).toFixed(1)} s): snapshot`,
      );
      const detect = await detectMs(args.runs, baseline);
      const begin = await beginMs(args.runs);
      const finish = await finishMs(args.runs, baseline);
      process.stdout.write(', post');
      const child = await childPost(args.runs, baseline, dir, SELF, node);
      const dist = await distTimes(args.runs, args.dist, dir, RUNNER_CLEANUP, CORE_FLOOR, node, args.isolation);
      // Where the default made a job cgroup, marker too: what a job pays for the cgroup is the difference.
      const distMarker =
        args.isolation === undefined && dist.used === 'cgroup'
          ? await distTimes(args.runs, args.dist, dir, RUNNER_CLEANUP, CORE_FLOOR, node, 'marker')
          : undefined;
      // The hosted runner's path (uid 65534, sudo): with action.yml's isolation, as a hosted job runs it.
      const hosted =
        args.isolation === undefined ? await hostedTimes(args.runs, args.dist, SELF, RUNNER_CLEANUP) : undefined;
      process.stdout.write(', dist');
      const termRuns = Math.max(1, Math.min(args.runs, 3));
      const cooperative = await terminationTimes(termRuns, args.leaks, 0, '5s');
      const ignoring = await terminationTimes(termRuns, args.leaks, Math.min(10, args.leaks), '1s');
      console.log(', termination.');
      results.push({
        size,
        snap,
        detectMs: detect,
        beginMs: begin,
        finishMs: finish,
        child,
        dist,
        distMarker,
        hosted,
        cooperative,
        ignoring,
      });
    }
  } finally {
    await crowd.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printResults(results, {
    cores: cores(),
    runs: args.runs,
    leaks: args.leaks,
    seconds: (Date.now() - began) / 1000,
    load: os.loadavg(),
  });
}

main().catch((error: unknown) => {
  // A bad argument is one sentence; anything else keeps its stack.
  console.error(error instanceof Error && error.message.startsWith('--') ? `strays bench: ${error.message}` : error);
  process.exitCode = 1;
});
