/**
 * The console log: the summary's table in plain text, one line per process,
 * then one summary line. ANSI colours only when the caller asks (a TTY, or
 * the Actions log, which renders them); never decided here.
 */
import { formatAge, holdsList, oneLine, plural, shorten, stepLabel, userLabel } from './format.js';
import type { LeakEntry, Report } from './types.js';

const MAX_SPARED = 20;

const ANSI = { red: '\u001b[31m', yellow: '\u001b[33m', green: '\u001b[32m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' };

export function renderConsole(report: Report, options: { color: boolean }): string {
  const paint = (code: keyof typeof ANSI, text: string): string => (options.color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const places = { workspace: report.workspace, runnerTemp: report.runnerTemp };
  const lines: string[] = [];
  const section = (title: string, entries: readonly LeakEntry[]): void => {
    if (entries.length === 0) return;
    lines.push(paint('bold', title));
    const rows = entries.map((l) => [
      String(l.pid),
      shorten(oneLine(l.command), 60),
      shorten(oneLine(stepLabel(l)), 30),
      formatAge(l.ageMs),
      shorten(userLabel(l), 12),
      shorten(oneLine(holdsList(l.holds, places).join(', ') || '-'), 60),
      l.detail ? `${l.outcome} (${shorten(oneLine(l.detail), 40)})` : l.outcome,
    ]);
    lines.push(...columns(['PID', 'COMMAND', 'STEP', 'AGE', 'USER', 'HOLDS', 'OUTCOME'], rows));
  };
  section('Leaked processes:', report.leaks);
  section('Unattributed (may be this job\'s; reported, not ended):', report.unattributed);
  if (report.zombies.length > 0) {
    lines.push(paint('bold', 'Zombies (dead; their parent must reap them):'));
    lines.push(...columns(['PID', 'COMMAND', 'STEP', 'REAPER'], report.zombies.map((z) => [
      String(z.pid), shorten(oneLine(z.command), 60), shorten(oneLine(z.step ?? 'unknown'), 30), String(z.reaper),
    ])));
  }
  if (report.spared.length > 0) {
    // Named one by one, not only counted: a marker is a value any process can set, so what it spared is shown.
    lines.push(paint('bold', 'Spared (allowed, or marked by another job):'));
    lines.push(...columns(['PID', 'COMMAND', 'WHY'], report.spared.slice(0, MAX_SPARED).map((sp) => [
      String(sp.pid), shorten(oneLine(sp.command), 60), shorten(oneLine(sp.reason), 100),
    ])));
    if (report.spared.length > MAX_SPARED) lines.push(`… and ${report.spared.length - MAX_SPARED} more (see the JSON report)`);
  }
  lines.push(summaryLine(report, paint));
  return lines.join('\n');
}

function summaryLine(report: Report, paint: (code: keyof typeof ANSI, text: string) => string): string {
  const { counts } = report;
  if (counts.leaked + counts.unattributed + counts.zombies === 0) return paint('green', 'strays: no leaked processes.');
  const outcomes = Object.entries(counts.outcomes).map(([o, n]) => `${n} ${o}`);
  const parts = [
    paint(report.failed ? 'red' : 'yellow', `strays: ${plural(counts.leaked, 'leaked process')}`),
    outcomes.length > 0 ? `(${outcomes.join(', ')})` : '',
    counts.unattributed > 0 ? `, ${counts.unattributed} unattributed` : '',
    counts.zombies > 0 ? `, ${plural(counts.zombies, 'zombie', 'zombies')}` : '',
    counts.spared > 0 ? `, ${counts.spared} spared` : '',
  ];
  return parts.filter((p) => p !== '').join(' ').replace(/ ,/g, ',') + (report.failed ? paint('red', '; failing the job.') : '.');
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
function columns(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))).join('  ').trimEnd());
}
