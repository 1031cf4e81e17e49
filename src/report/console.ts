/**
 * The console log: one row per group of identical leaks (report.groups), in
 * attention order, then one summary line. Returned as sections so an adapter
 * can fold each (the action wraps them in `::group::`); renderConsole joins
 * them as plain text for the CLI. ANSI colours only when the caller asks (a
 * TTY, FORCE_COLOR, --color=always); never decided here.
 */
import {
  clip,
  firstMembers,
  formatAge,
  foundAnything,
  holdsList,
  oneLine,
  outcomeCounts,
  plural,
  processCount,
  shortenWords,
  stepLabel,
  userLabel,
} from './format.js';
import type { LeakGroup, Report } from './types.js';

const MAX_SPARED = 20;

const ANSI = {
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  reset: '\u001b[0m',
};
type Paint = (code: keyof typeof ANSI, text: string) => string;
function painter(color: boolean): Paint {
  return (code, text) => (color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
}

/** Pids listed under a group row; the JSON report has every one. */
const PIDS_SHOWN = 20;

export interface ConsoleSection {
  readonly title: string;
  readonly lines: readonly string[];
}

export interface ConsoleReport {
  readonly sections: readonly ConsoleSection[];
  /** The one-line verdict, printed last and never folded. */
  readonly summary: string;
}

export function consoleReport(report: Report, options: { color: boolean }): ConsoleReport {
  const paint = painter(options.color);
  const firstOf = firstMembers(report);
  const sections: ConsoleSection[] = [];
  const section = (title: string, groups: readonly LeakGroup[]): void => {
    if (groups.length === 0) return;
    const lines: string[] = [];
    const rows = groups.map((g) => {
      const first = firstOf(g);
      const outcome = g.detail ? `${g.outcome} (${clip(g.detail, 40)})` : g.outcome;
      return [
        g.count === 1 ? String(g.pids[0]) : `${g.count} ×`,
        clip(g.command, 60),
        clip(stepLabel(g), 30),
        formatAge(g.ageMs),
        first ? shortenWords(userLabel(first), 12) : '?',
        clip((first ? holdsList(first.holds, report).join(', ') : '') || '-', 50),
        g.outcome === 'survived' || g.outcome === 'not-permitted'
          ? paint('red', outcome)
          : g.outcome === 'killed'
            ? paint('yellow', outcome)
            : outcome,
      ];
    });
    const table = columns(['PID', 'COMMAND', 'STEP', 'AGE', 'USER', 'HOLDS', 'OUTCOME'], rows);
    lines.push(table[0] as string);
    groups.forEach((g, i) => {
      lines.push(table[i + 1] as string);
      if (g.count > 1)
        lines.push(
          paint(
            'dim',
            `    pids ${g.pids.slice(0, PIDS_SHOWN).join(' ')}${g.count > PIDS_SHOWN ? ` … (+${g.count - PIDS_SHOWN}, every one in the JSON report)` : ''}`,
          ),
        );
    });
    sections.push({
      title: `${title} ${plural(processCount(groups), 'process')} in ${plural(groups.length, 'group')}`,
      lines,
    });
  };
  section(
    'strays: leaked:',
    report.groups.filter((g) => g.section === 'leaks'),
  );
  section(
    "strays: unattributed (may be this job's; reported, not ended):",
    report.groups.filter((g) => g.section === 'unattributed'),
  );
  if (report.zombies.length > 0) {
    sections.push({
      title: `strays: zombies (dead; their parent must reap them): ${report.zombies.length}`,
      lines: columns(
        ['PID', 'COMMAND', 'STEP', 'REAPER'],
        report.zombies.map((z) => [
          String(z.pid),
          clip(z.command, 60),
          clip(z.step ?? 'unknown', 30),
          String(z.reaper),
        ]),
      ),
    });
  }
  if (report.spared.length > 0) {
    // Named one by one, not only counted: a marker is a value any process can set, so what it spared is shown.
    const lines = columns(
      ['PID', 'COMMAND', 'WHY'],
      report.spared.slice(0, MAX_SPARED).map((sp) => [String(sp.pid), clip(sp.command, 60), clip(sp.reason, 100)]),
    );
    if (report.spared.length > MAX_SPARED)
      lines.push(`… and ${report.spared.length - MAX_SPARED} more (see the JSON report)`);
    sections.push({ title: `strays: spared (allowed, or marked by another job): ${report.spared.length}`, lines });
  }
  if (report.notes.length > 0 && sections.length > 0) {
    sections.push({
      title: `strays: notes on this check (${report.notes.length})`,
      lines: report.notes.map((n) => `- ${oneLine(n)}`),
    });
  }
  return { sections, summary: summaryLine(report, paint) };
}

/** Plain text: every section's title and lines, then the summary line. */
export function renderConsole(report: Report, options: { color: boolean }): string {
  const { sections, summary } = consoleReport(report, options);
  const paint = painter(options.color);
  return [...sections.flatMap((s) => [paint('bold', s.title), ...s.lines]), summary].join('\n');
}

function summaryLine(report: Report, paint: Paint): string {
  const { counts } = report;
  if (!foundAnything(report)) return paint('green', 'strays: no leaked processes.');
  const outcomes = outcomeCounts(report);
  const parts = [
    paint(report.failed ? 'red' : 'yellow', `strays: ${plural(counts.leaked, 'leaked process')}`),
    outcomes.length > 0 ? `(${outcomes.join(', ')})` : '',
    counts.unattributed > 0 ? `, ${counts.unattributed} unattributed` : '',
    counts.zombies > 0 ? `, ${plural(counts.zombies, 'zombie')}` : '',
    counts.spared > 0 ? `, ${counts.spared} spared` : '',
  ];
  return (
    parts
      .filter((p) => p !== '')
      .join(' ')
      .replace(/ ,/g, ',') + (report.failed ? paint('red', '; failing the job.') : '.')
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes it strips.
const ANSI_RE = /\u001b\[[0-9;]*m/g;
const width = (s: string): number => [...s.replace(ANSI_RE, '')].length;

/** Left-aligned columns separated by two spaces; the last column is not padded. */
function columns(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  return all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - width(cell))))
      .join('  ')
      .trimEnd(),
  );
}
