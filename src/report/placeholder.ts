/**
 * TEMPORARY minimal report functions so the adapters can be built while the
 * real report layer (issue 7) is written. The lead removes this file when the
 * real `buildReport`, `explainFindings` and renderers land.
 */
import type { GuardOptions } from '../config/options.js';
import type { Baseline } from '../engine/baseline.js';
import type { Detection, Finding } from '../engine/findings.js';
import { commandLine, type ProcessTable } from '../proc/types.js';
import type { Termination } from '../terminate/types.js';
import { REPORT_VERSION, type LeakEntry, type Report, type ReportContext } from './types.js';
import fs from 'node:fs';

export interface BuildReportInput {
  readonly baseline: Baseline;
  readonly detection: Detection;
  readonly termination: Termination | undefined;
  readonly explanations: ReadonlyMap<number, unknown>;
  readonly options: GuardOptions;
  readonly context: ReportContext;
  readonly table?: ProcessTable;
}

export const explainFindings = (_f: readonly Finding[], _t: ProcessTable, _c: ReportContext): Map<number, unknown> => new Map();

export function buildReport(input: BuildReportInput): Report {
  const outcome = new Map(input.termination?.results.map((r) => [r.pid, r]));
  const entry = (f: Finding): LeakEntry => ({
    pid: f.process.pid,
    start: f.process.start,
    command: commandLine(f.process),
    comm: f.process.comm,
    uid: f.process.uid,
    user: undefined,
    startedAt: f.process.startedAt === undefined ? undefined : new Date(f.process.startedAt).toISOString(),
    ageMs: f.process.startedAt === undefined ? undefined : input.context.checkedAt - f.process.startedAt,
    step: f.step,
    attribution: f.attribution,
    reasons: f.reasons,
    outcome: outcome.get(f.process.pid)?.outcome ?? 'reported',
    signals: outcome.get(f.process.pid)?.signals ?? [],
  });
  return {
    version: REPORT_VERSION,
    tool: 'strays',
    session: input.baseline.session,
    leaks: input.detection.findings.map(entry),
    unattributed: input.detection.unattributed.map(entry),
    zombies: input.detection.zombies.map((z) => ({ pid: z.process.pid, command: commandLine(z.process), reaper: z.reaper })),
    spared: input.detection.spared.map((s) => ({ pid: s.process.pid, command: commandLine(s.process), reason: s.reason })),
  };
}

export const renderConsole = (r: Report, _o: { color: boolean }): string =>
  [...r.leaks.map((l) => `${l.pid}\t${l.step ?? '-'}\t${l.outcome}\t${l.command}`), `strays: ${r.leaks.length} leaked`].join('\n');

export const renderSummary = (r: Report): string =>
  r.leaks.length === 0 ? 'strays: no leaked processes' : `## strays: ${r.leaks.length} leaked processes\n\n${r.leaks.map((l) => `- ${l.pid} ${l.command}`).join('\n')}`;

export const annotations = (r: Report, failing: boolean): Array<{ level: 'error' | 'warning'; title: string; message: string }> =>
  r.leaks.map((l) => ({ level: failing ? 'error' : 'warning', title: 'strays: leaked process', message: `pid ${l.pid} ${l.command} (step ${l.step ?? 'unknown'})` }));

export function writeJsonReport(file: string, r: Report): void {
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}
