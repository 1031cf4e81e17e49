/** The bench's table and its verdict on the targets of issue 9. */
import type { ChildPost, DistTimes, SnapshotTimes, TerminationTimes } from './measure.js';

export interface SizeResult {
  readonly size: number;
  readonly snap: SnapshotTimes;
  readonly detectMs: number;
  readonly finishMs: number;
  readonly child: ChildPost;
  readonly dist: DistTimes;
  readonly cooperative: TerminationTimes;
  readonly ignoring: TerminationTimes;
}

export interface RunInfo {
  readonly cores: number;
  readonly runs: number;
  readonly leaks: number;
  readonly seconds: number;
}

const COOP_GRACE_MS = 5000;
const IGNORE_GRACE_MS = 1000;
const ms = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? 'n/a' : v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`);
const ratio = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)}×`);
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

/** Budget for a clean post step: 1.5 × the node floor plus the snapshot the post step takes. */
export const postBudget = (r: SizeResult): number => 1.5 * r.dist.floorMs + r.snap.postReadMs;

export function rows(results: readonly SizeResult[]): string[][] {
  const line = (label: string, f: (r: SizeResult) => string): string[] => [label, ...results.map(f)];
  return [
    line('processes in the table', (r) => String(r.snap.processes)),
    line('snapshot: ours, post-step read', (r) => ms(r.snap.postReadMs)),
    line('snapshot: ours, every field', (r) => ms(r.snap.fullMs)),
    line('snapshot: ps-list', (r) => ms(r.snap.psListMs)),
    line('snapshot: ps -eo …,lstart,args', (r) => ms(r.snap.psMs)),
    line('ps-list ÷ ours (post-step read)', (r) => ratio(r.snap.psListMs / r.snap.postReadMs)),
    line('ps-list ÷ ours (every field)', (r) => ratio(r.snap.psListMs / r.snap.fullMs)),
    line('ps ÷ ours (every field)', (r) => ratio(r.snap.psMs / r.snap.fullMs)),
    line('detection (pure)', (r) => ms(r.detectMs)),
    line('post step, clean, in process (warm)', (r) => ms(r.finishMs)),
    line('post step, clean, own process (cold)', (r) => ms(r.child.ms)),
    line('peak RSS, post step (src, own process)', (r) => `${r.child.rssMb.toFixed(0)} MB`),
    line('node -e 0 (floor)', (r) => ms(r.dist.floorMs)),
    line('dist/pre, clean job', (r) => ms(r.dist.preMs)),
    line('dist/post, clean job', (r) => ms(r.dist.postMs)),
    line('dist/post ÷ (1.5 × floor + snapshot), ≤ 1 meets', (r) => ratio(r.dist.postMs === undefined ? undefined : r.dist.postMs / postBudget(r))),
    line('peak RSS, dist/post', (r) => (r.dist.postRssMb === undefined ? 'n/a' : `${r.dist.postRssMb.toFixed(0)} MB`)),
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
      name: 'snapshot ≥ 2× faster than ps-list at ~1,000+ processes',
      met: big.every((r) => r.snap.psListMs / r.snap.postReadMs >= 2),
      detail: big.map((r) => `${r.snap.processes}: ${ratio(r.snap.psListMs / r.snap.postReadMs)} (every field ${ratio(r.snap.psListMs / r.snap.fullMs)})`).join(', '),
    });
  }
  const withDist = results.filter((r) => r.dist.postMs !== undefined);
  out.push({
    name: 'dist/post on a clean job ≤ 1.5 × node -e 0 + snapshot',
    met: withDist.length > 0 && withDist.every((r) => (r.dist.postMs as number) <= postBudget(r)),
    detail: withDist.length === 0 ? 'dist/post not built' : withDist.map((r) => `${r.snap.processes}: ${ms(r.dist.postMs)} vs ${ms(postBudget(r))}`).join(', '),
  });
  out.push({
    name: `${leaks} cooperative leaks ended in ≤ 10 % of a 5 s grace`,
    met: results.every((r) => r.cooperative.ms <= 0.1 * COOP_GRACE_MS && r.cooperative.leftBehind === 0),
    detail: results.map((r) => `${r.snap.processes}: ${pct(r.cooperative.ms / COOP_GRACE_MS)} (${r.cooperative.outcomes})`).join(', '),
  });
  out.push({
    name: 'SIGTERM-ignoring leaks ≤ grace + 10 %',
    met: results.every((r) => r.ignoring.ms <= 1.1 * IGNORE_GRACE_MS && r.ignoring.leftBehind === 0),
    detail: results.map((r) => `${r.snap.processes}: ${pct(r.ignoring.ms / IGNORE_GRACE_MS)} (${r.ignoring.outcomes})`).join(', '),
  });
  if (largest) {
    const rss = Math.max(largest.child.rssMb, largest.dist.postRssMb ?? 0);
    out.push({ name: `peak RSS of the post step < 100 MB at ${largest.snap.processes} processes`, met: rss < 100, detail: `${rss.toFixed(0)} MB` });
  }
  return out;
}

export function printResults(results: readonly SizeResult[], info: RunInfo): void {
  const table = rows(results);
  const header = ['', ...results.map((r) => `~${r.size}`)];
  const widths = header.map((_, i) => Math.max(...[header, ...table].map((row) => (row[i] ?? '').length)));
  const fmt = (row: readonly string[]): string => `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  console.log('');
  console.log(fmt(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of table) console.log(fmt(row));
  console.log('');
  console.log(`Targets (${info.cores} cores, medians of ${info.runs} runs, termination: ${info.leaks} leaks, medians of ${Math.min(info.runs, 3)}):`);
  for (const t of targets(results, info.leaks)) console.log(`- [${t.met ? 'met' : 'MISSED'}] ${t.name}: ${t.detail}`);
  for (const r of results) for (const f of r.dist.failures) console.log(`! ~${r.size}: ${f}`);
  for (const r of results) {
    const left = r.cooperative.leftBehind + r.ignoring.leftBehind;
    if (left > 0) console.log(`! ~${r.size}: ${left} leak(s) were still alive after termination (ended by the bench)`);
  }
  console.log(`bench took ${info.seconds.toFixed(0)} s`);
}
