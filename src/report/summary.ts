/**
 * The GitHub job summary (Markdown, for core.summary / GITHUB_STEP_SUMMARY;
 * README, Job summary): one screen, then everything else folded in the
 * summary itself, since it outlives the job and RUNNER_TEMP does not.
 */
import {
  firstMembers,
  formatAge,
  foundAnything,
  holdsList,
  outcomeCounts,
  plural,
  processCount,
  stepLabel,
} from './format.js';
import { code, codeBlock, details, plain, table } from './markdown.js';
import type { LeakEntry, LeakGroup, Report } from './types.js';

/** Group rows shown before the first fold. */
export const TOP_ROWS = 10;
/** Characters of the folded detail (pids, full command lines) before it points to the JSON report. */
export const SUMMARY_BUDGET = 256 * 1024;
/** Full command lines shown per group in the fold. */
const COMMANDS_PER_GROUP = 5;
/** Characters of one full command line in the fold. */
const FULL_COMMAND = 2000;

const HEAD = ['Processes', 'Command', 'Step', 'Age', 'Holds', 'Outcome'];

export function renderSummary(report: Report, reportPath?: string): string {
  const { leaks, unattributed, zombies } = report;
  if (!foundAnything(report)) {
    const spared = report.counts.spared > 0 ? ` (${plural(report.counts.spared, 'allowed process')} left alone)` : '';
    return `**strays:** no leaked processes, the job left nothing running${spared}.\n${notesFold(report)}`;
  }
  const leakGroups = report.groups.filter((g) => g.section === 'leaks');
  const unattributedGroups = report.groups.filter((g) => g.section === 'unattributed');
  const out: string[] = [
    `### strays: ${plural(leaks.length, 'leaked process')}${leakGroups.length < leaks.length ? ` in ${plural(leakGroups.length, 'group')}` : ''}`,
    '',
  ];
  out.push(intro(report), '');
  const row = rows(report);
  if (leakGroups.length > 0) {
    out.push(row(leakGroups.slice(0, TOP_ROWS)), '');
    const rest = leakGroups.slice(TOP_ROWS);
    if (rest.length > 0)
      out.push(
        details(`${plural(rest.length, 'more group')} (${plural(processCount(rest), 'process')})`, row(rest)),
        '',
      );
  }
  if (unattributedGroups.length > 0) {
    out.push(
      details(
        `Unattributed: ${plural(unattributed.length, 'process')} that may be this job's (reported, not ended)`,
        row(unattributedGroups),
      ),
      '',
    );
  }
  if (zombies.length > 0) {
    out.push(
      details(
        `Zombies: ${plural(zombies.length, 'process')} already dead, waiting for their parent to reap them`,
        table(
          ['PID', 'Command', 'Step', 'Parent that must reap it'],
          zombies
            .slice(0, 200)
            .map((z) => [String(z.pid), code(z.command), plain(z.step ?? 'unknown', 40), String(z.reaper)]),
        ) + (zombies.length > 200 ? `\n\n… and ${zombies.length - 200} more in the JSON report.` : ''),
      ),
      '',
    );
  }
  out.push(everyProcess(report, reportPath), '');
  if (report.spared.length > 0) {
    out.push(
      details(
        `Spared: ${plural(report.spared.length, 'process')} left alone`,
        table(
          ['PID', 'Command', 'Why'],
          report.spared.slice(0, 200).map((s) => [String(s.pid), code(s.command), plain(s.reason, 120)]),
        ),
      ),
      '',
    );
  }
  const notes = notesFold(report);
  if (notes !== '') out.push(notes);
  return `${out.join('\n').trimEnd()}\n`;
}

function intro(report: Report): string {
  const parts = outcomeCounts(report);
  const mode = report.mode.kill
    ? `ended after a ${formatAge(report.mode.graceMs)} grace period`
    : 'reported only (kill: false)';
  const extra = [
    report.counts.unattributed > 0 && plural(report.counts.unattributed, 'unattributed process'),
    report.counts.zombies > 0 && plural(report.counts.zombies, 'zombie'),
  ].filter(Boolean);
  return `Processes this job started and left running: ${mode}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}${extra.length > 0 ? `; also ${extra.join(', ')}` : ''}.`;
}

/** The table of some of the report's groups, one row each. */
function rows(report: Report): (groups: readonly LeakGroup[]) => string {
  const firstOf = firstMembers(report);
  return (groups) =>
    table(
      HEAD,
      groups.map((g) => {
        const first = firstOf(g);
        const holds = first ? holdsList(first.holds, report).join(', ') : '';
        return [
          g.count === 1 ? `pid ${g.pids[0]}` : `${g.count} ×`,
          code(g.command, 80),
          plain(stepLabel(g), 40),
          formatAge(g.ageMs),
          holds === '' ? '-' : plain(holds, 60) + (g.count > 1 ? ' (first)' : ''),
          `${attention(g) ? `**${g.outcome}**` : g.outcome}${g.detail ? `: ${plain(g.detail, 40)}` : ''}`,
        ];
      }),
    );
}

const attention = (g: LeakGroup): boolean =>
  g.outcome === 'survived' || g.outcome === 'killed' || g.outcome === 'not-permitted';

/** Every pid and the full command lines, per group, folded; bounded, then the JSON report has the rest. */
function everyProcess(report: Report, reportPath: string | undefined): string {
  const byGroup = new Map<number, LeakEntry[]>();
  for (const l of [...report.leaks, ...report.unattributed]) byGroup.set(l.group, [...(byGroup.get(l.group) ?? []), l]);
  const parts: string[] = [];
  let used = 0;
  let shown = 0;
  for (const [i, g] of report.groups.entries()) {
    const members = byGroup.get(i) ?? [];
    // A group of one is named by its own command; only a real group needs the shape it was grouped by.
    const name = g.count === 1 && members[0] !== undefined ? members[0].command : g.shape;
    const head = `**${g.count} × ${code(name, 120, false)}** · ${plain(stepLabel(g), 60)} · ${g.outcome}${g.section === 'unattributed' ? ' (unattributed)' : ''}`;
    const pids = `pids: ${g.pids.join(', ')}`;
    const commands = members
      .slice(0, COMMANDS_PER_GROUP)
      .map(
        (l) =>
          `${l.pid}: ${l.truncated || [...l.command].length > FULL_COMMAND ? `${[...l.command].slice(0, FULL_COMMAND).join('')} … (${l.commandLength} characters in all)` : l.command}`,
      );
    const block = `${head}\n\n${pids}\n\n${codeBlock(commands.map((c) => c.replace(/\r\n|[\r\n]/g, '↵')))}${members.length > COMMANDS_PER_GROUP ? `\n\n… and ${members.length - COMMANDS_PER_GROUP} more command lines in the JSON report.` : ''}`;
    if (used + block.length > SUMMARY_BUDGET) break;
    parts.push(block);
    used += block.length;
    shown += g.count;
  }
  const total = report.leaks.length + report.unattributed.length;
  const where = reportPath ? `the JSON report (${code(reportPath, 200, false)})` : 'the JSON report';
  if (shown < total) parts.push(`… ${plural(total - shown, 'more process')} only in ${where}.`);
  return details(`Every process: pids and full command lines (${plural(total, 'process')})`, parts.join('\n\n'));
}

const notesFold = (report: Report): string => renderNotes(report.notes, 'Notes on this check');

/** A fold of notes (`title (count)`), or nothing without notes: the summary's own, and notes that came after it. */
export function renderNotes(notes: readonly string[], title: string): string {
  if (notes.length === 0) return '';
  return `${details(`${title} (${notes.length})`, notes.map((n) => `- ${plain(n, 400)}`).join('\n'))}\n`;
}
