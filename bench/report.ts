/** The bench's table and its verdict on its targets (README, Benchmark). */
import type { Hosted } from './hosted.js';
import type { ChildPost, DistTimes, SnapshotTimes, TerminationTimes } from './measure.js';

export interface SizeResult {
  readonly size: number;
  readonly snap: SnapshotTimes;
  readonly detectMs: number;
  readonly beginMs: number;
  readonly finishMs: number;
  readonly child: ChildPost;
  readonly dist: DistTimes;
  /** dist/pre and dist/post again with isolation marker, where the default made a job cgroup. */
  readonly distMarker?: DistTimes | undefined;
  /** dist/pre and dist/post as a hosted runner's job runs them: uid 65534, passwordless sudo (bench/hosted.ts). */
  readonly hosted?: Hosted | undefined;
  readonly cooperative: TerminationTimes;
  readonly ignoring: TerminationTimes;
}

export interface RunInfo {
  readonly cores: number;
  readonly runs: number;
  readonly leaks: number;
  readonly seconds: number;
  /** os.loadavg() at the end: the machines are shared, and the load says how much to trust a row. */
  readonly load: readonly number[];
}

const COOP_GRACE_MS = 5000;
const IGNORE_GRACE_MS = 1000;
const ms = (v: number | undefined): string =>
  v === undefined || Number.isNaN(v) ? 'n/a' : v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`;
const ratio = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)}×`);
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

/** A clean dist/post (and dist/pre) may take at most this many times the runner-cleanup yardstick. */
export const CLEANUP_RATIO = 1.2;
export const PS_LIST_RATIO = 3;
export const RSS_LIMIT_MB = 80;
/** Termination beyond the grace period, as a share of it. */
export const IGNORE_OVER = 0.05;
export const COOP_SHARE = 0.05;
const rssOf = (r: SizeResult): string => (r.dist.postRssMb === undefined ? 'n/a' : `${r.dist.postRssMb.toFixed(0)} MB`);
/** The post-step and pre-step reads against ps-list: the slower of the two is the one that counts. */
const psListRatio = (r: SizeResult): number => r.snap.psListMs / Math.max(r.snap.postReadMs, r.snap.preReadMs);

export function rows(results: readonly SizeResult[]): string[][] {
  const line = (label: string, f: (r: SizeResult) => string): string[] => [label, ...results.map(f)];
  const used = results[0]?.dist.used;
  const marker = results.some((r) => r.distMarker)
    ? [
        line('dist/pre, clean job, isolation marker', (r) => ms(r.distMarker?.preMs)),
        line('dist/post, clean job, isolation marker', (r) => ms(r.distMarker?.postMs)),
        line('dist/pre ÷ runner cleanup, isolation marker', (r) => ratio(r.distMarker?.preVsCleanup)),
        line('dist/post ÷ runner cleanup, isolation marker', (r) => ratio(r.distMarker?.postVsCleanup)),
      ]
    : [];
  const hostedOf = (r: SizeResult) => (r.hosted?.ok ? r.hosted.times : undefined);
  const hosted = results.some((r) => hostedOf(r))
    ? [
        line('runner cleanup, as uid 65534', (r) => ms(hostedOf(r)?.cleanupMs)),
        line('dist/pre, clean job, as uid 65534 with sudo', (r) => ms(hostedOf(r)?.preMs)),
        line('dist/post, clean job, as uid 65534 with sudo', (r) => ms(hostedOf(r)?.postMs)),
        line('dist/pre ÷ runner cleanup, as uid 65534 with sudo', (r) => ratio(hostedOf(r)?.preVsCleanup)),
        line('dist/post ÷ runner cleanup, as uid 65534 with sudo', (r) => ratio(hostedOf(r)?.postVsCleanup)),
      ]
    : [];
  return [
    line('processes in the table', (r) => String(r.snap.processes)),
    line('snapshot: ours, pre-step read', (r) => ms(r.snap.preReadMs)),
    line('snapshot: ours, post-step read', (r) => ms(r.snap.postReadMs)),
    line('snapshot: ours, every field', (r) => ms(r.snap.fullMs)),
    line('snapshot: ps-list', (r) => ms(r.snap.psListMs)),
    line('snapshot: ps -eo …,lstart,args', (r) => ms(r.snap.psMs)),
    line('ps-list ÷ ours (slower of pre/post read)', (r) => ratio(psListRatio(r))),
    line('ps-list ÷ ours (every field)', (r) => ratio(r.snap.psListMs / r.snap.fullMs)),
    line('detection (pure)', (r) => ms(r.detectMs)),
    line('pre step (beginJob), in process (warm)', (r) => ms(r.beginMs)),
    line('post step (finishJob), clean, in process (warm)', (r) => ms(r.finishMs)),
    line('post step, clean, own process (cold, src)', (r) => ms(r.child.ms)),
    line('peak RSS, post step (src, own process)', (r) => `${r.child.rssMb.toFixed(0)} MB`),
    line('node -e 0 (floor)', (r) => ms(r.dist.floorMs)),
    line('runner cleanup (yardstick)', (r) => ms(r.dist.cleanupMs)),
    line(`dist/pre, clean job${used ? `, isolation ${used}` : ''}`, (r) => ms(r.dist.preMs)),
    line(`dist/post, clean job${used ? `, isolation ${used}` : ''}`, (r) => ms(r.dist.postMs)),
    line(`dist/pre ÷ runner cleanup, ≤ ${CLEANUP_RATIO} meets`, (r) => ratio(r.dist.preVsCleanup)),
    line(`dist/post ÷ runner cleanup, ≤ ${CLEANUP_RATIO} meets`, (r) => ratio(r.dist.postVsCleanup)),
    line("@actions/core floor, in post's place", (r) => ms(r.dist.coreFloorMs)),
    line('  ÷ runner cleanup (what strays adds is post minus this)', (r) => ratio(r.dist.coreFloorVsCleanup)),
    line('dist/pre ÷ node -e 0', (r) => ratio(r.dist.preVsFloor)),
    line('dist/post ÷ node -e 0', (r) => ratio(r.dist.postVsFloor)),
    ...marker,
    ...hosted,
    line('peak RSS, dist/post', rssOf),
    line(`terminate cooperative leaks (grace 5 s)`, (r) => ms(r.cooperative.ms)),
    line('  ÷ grace', (r) => pct(r.cooperative.ms / COOP_GRACE_MS)),
    line('terminate, 10 ignore SIGTERM (grace 1 s)', (r) => ms(r.ignoring.ms)),
    line('  minus grace', (r) => ms(r.ignoring.ms - IGNORE_GRACE_MS)),
    line('  ÷ grace', (r) => pct(r.ignoring.ms / IGNORE_GRACE_MS)),
  ];
}

export interface Target {
  readonly name: string;
  readonly met: boolean;
  readonly detail: string;
}

export function targets(results: readonly SizeResult[], leaks: number): Target[] {
  const big = results.filter((r) => r.size >= 1000);
  const largest = results[results.length - 1];
  const out: Target[] = [];
  if (big.length > 0) {
    out.push({
      name: `snapshot ≥ ${PS_LIST_RATIO}× faster than ps-list at ~1,000+ processes (pre-step and post-step reads)`,
      met: big.every((r) => psListRatio(r) >= PS_LIST_RATIO),
      detail: big
        .map(
          (r) =>
            `${r.snap.processes}: ${ratio(psListRatio(r))} (every field ${ratio(r.snap.psListMs / r.snap.fullMs)})`,
        )
        .join(', '),
    });
  }
  const variants = [
    { times: (r: SizeResult) => r.dist, label: results[0]?.dist.used ? `, isolation ${results[0].dist.used}` : '' },
    ...(results.some((r) => r.distMarker)
      ? [{ times: (r: SizeResult) => r.distMarker, label: ', isolation marker' }]
      : []),
  ];
  for (const { times, label } of variants)
    for (const stage of ['post', 'pre'] as const) {
      const of = (r: SizeResult): number | undefined =>
        stage === 'post' ? times(r)?.postVsCleanup : times(r)?.preVsCleanup;
      const withDist = results.filter((r) => of(r) !== undefined);
      out.push({
        name: `dist/${stage} on a clean job${label} ≤ ${CLEANUP_RATIO}× the runner-cleanup yardstick`,
        met: withDist.length > 0 && withDist.every((r) => (of(r) as number) <= CLEANUP_RATIO),
        detail:
          withDist.length === 0
            ? `dist/${stage} not built`
            : withDist.map((r) => `${r.snap.processes}: ${ratio(of(r))}`).join(', '),
      });
    }
  out.push({
    name: `${leaks} cooperative leaks ended in ≤ ${COOP_SHARE * 100} % of a 5 s grace`,
    met: results.every((r) => r.cooperative.ms <= COOP_SHARE * COOP_GRACE_MS && r.cooperative.leftBehind === 0),
    detail: results
      .map((r) => `${r.snap.processes}: ${pct(r.cooperative.ms / COOP_GRACE_MS)} (${r.cooperative.outcomes})`)
      .join(', '),
  });
  out.push({
    name: `SIGTERM-ignoring leaks ≤ grace + ${IGNORE_OVER * 100} %`,
    met: results.every((r) => r.ignoring.ms <= (1 + IGNORE_OVER) * IGNORE_GRACE_MS && r.ignoring.leftBehind === 0),
    detail: results
      .map((r) => `${r.snap.processes}: ${pct(r.ignoring.ms / IGNORE_GRACE_MS)} (${r.ignoring.outcomes})`)
      .join(', '),
  });
  if (largest) {
    const rss = largest.dist.postRssMb;
    out.push({
      name: `peak RSS of dist/post < ${RSS_LIMIT_MB} MB at ${largest.snap.processes} processes`,
      met: rss !== undefined && rss < RSS_LIMIT_MB,
      detail: `${rssOf(largest)} (post step from src, own process: ${largest.child.rssMb.toFixed(0)} MB)`,
    });
  }
  return out;
}

export function printResults(results: readonly SizeResult[], info: RunInfo): void {
  const table = rows(results);
  const header = ['', ...results.map((r) => `~${r.size}`)];
  const widths = header.map((_, i) => Math.max(...[header, ...table].map((row) => (row[i] ?? '').length)));
  const fmt = (row: readonly string[]): string =>
    `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  console.log('');
  console.log(fmt(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of table) console.log(fmt(row));
  console.log('');
  const load = info.load.map((l) => l.toFixed(1)).join(' / ');
  console.log(
    `Targets (${info.cores} cores, load average ${load} (1/5/15 min), medians of ${info.runs} runs, termination: ${info.leaks} leaks, medians of ${Math.min(info.runs, 3)}):`,
  );
  for (const t of targets(results, info.leaks)) console.log(`- [${t.met ? 'met' : 'MISSED'}] ${t.name}: ${t.detail}`);
  for (const r of results) for (const f of r.dist.failures) console.log(`! ~${r.size}: ${f}`);
  // The hosted runner's path: informational (the targets are the rows above); what it used, or why it was not run.
  const hosted = results.find((r) => r.hosted !== undefined)?.hosted;
  if (hosted?.ok) console.log(`- as uid 65534 with sudo: ${hosted.times.used ?? 'isolation not reported'}`);
  else if (hosted) console.log(`- as uid 65534 with sudo: not measured (${hosted.reason})`);
  for (const r of results)
    for (const f of r.hosted?.ok ? r.hosted.times.failures : []) console.log(`! ~${r.size}: ${f}`);
  for (const r of results) {
    const left = r.cooperative.leftBehind + r.ignoring.leftBehind;
    if (left > 0) console.log(`! ~${r.size}: ${left} leak(s) were still alive after termination (ended by the bench)`);
  }
  console.log(`bench took ${info.seconds.toFixed(0)} s`);
}
