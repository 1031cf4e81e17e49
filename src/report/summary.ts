/**
 * The GitHub job summary (Markdown, for core.summary / GITHUB_STEP_SUMMARY).
 *
 * At most MAX_ROWS rows in all (GitHub caps a step summary at 1 MiB, and a
 * wall of rows helps nobody); the JSON report has the rest. With many leaks
 * from several steps, rows are grouped under one heading per step.
 */
import { escapeCell, table } from './markdown.js';
import { formatAge, holdsList, plural, stepLabel, userLabel } from './format.js';
import type { LeakEntry, Report } from './types.js';

export const MAX_ROWS = 50;
/** Group by step from this many leaks on (and only when there are two steps or more). */
export const GROUP_FROM = 10;

const HEAD = ['PID', 'Command', 'Step', 'Age', 'User', 'Holds', 'Outcome'];

export function renderSummary(report: Report): string {
  const { leaks, unattributed, zombies } = report;
  if (leaks.length + unattributed.length + zombies.length === 0) {
    const spared = report.counts.spared > 0 ? ` (${plural(report.counts.spared, 'allowed process', 'allowed processes')} left alone)` : '';
    return `**strays:** no leaked processes, the job left nothing running${spared}.\n`;
  }
  const out: string[] = [`### strays: ${plural(leaks.length, 'leaked process')}`, ''];
  out.push(intro(report), '');
  let budget = MAX_ROWS;
  const take = (entries: readonly LeakEntry[]): LeakEntry[] => {
    const shown = entries.slice(0, Math.max(0, budget));
    budget -= shown.length;
    return shown;
  };
  const steps = groupByStep(leaks);
  if (leaks.length >= GROUP_FROM && steps.size > 1) {
    for (const [, group] of steps) {
      const shown = take(group);
      if (shown.length === 0) break;
      out.push(`#### Step ${escapeCell(stepLabel(group[0] as LeakEntry))}: ${plural(group.length, 'process', 'processes')}`, '');
      out.push(rows(shown, report), '');
    }
  } else if (leaks.length > 0) {
    out.push(rows(take(leaks), report), '');
  }
  if (unattributed.length > 0 && budget > 0) {
    out.push(`#### Unattributed: ${plural(unattributed.length, 'process', 'processes')} that may be this job's (reported, not ended)`, '');
    out.push(rows(take(unattributed), report), '');
  }
  if (zombies.length > 0) {
    out.push(`#### Zombies: ${plural(zombies.length, 'process', 'processes')} already dead, waiting for their parent to reap them`, '');
    const shown = zombies.slice(0, Math.max(0, budget));
    budget -= shown.length;
    if (shown.length > 0) {
      out.push(table(['PID', 'Command', 'Step', 'Parent that must reap it'], shown.map((z) => [
        String(z.pid), escapeCell(z.command), escapeCell(z.step ?? 'unknown'), String(z.reaper),
      ])), '');
    }
  }
  const hidden = leaks.length + unattributed.length + zombies.length - MAX_ROWS;
  if (hidden > 0) out.push(`… and ${hidden} more not shown here: see the JSON report for every process.`, '');
  return `${out.join('\n').trimEnd()}\n`;
}

function intro(report: Report): string {
  const parts: string[] = [];
  const o = report.counts.outcomes;
  for (const [outcome, n] of Object.entries(o)) parts.push(`${n} ${outcome}`);
  const mode = report.mode.kill ? `ended after a ${formatAge(report.mode.graceMs)} grace period` : 'reported only (kill: false)';
  const extra = [
    report.counts.unattributed > 0 && plural(report.counts.unattributed, 'unattributed process', 'unattributed processes'),
    report.counts.zombies > 0 && plural(report.counts.zombies, 'zombie', 'zombies'),
  ].filter(Boolean);
  return `Processes this job started and left running: ${mode}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}${extra.length > 0 ? `; also ${extra.join(', ')}` : ''}.`;
}

function rows(entries: readonly LeakEntry[], report: Report): string {
  const places = { workspace: report.workspace, runnerTemp: report.runnerTemp };
  return table(HEAD, entries.map((l) => [
    String(l.pid),
    escapeCell(l.command),
    escapeCell(stepLabel(l), 40),
    formatAge(l.ageMs),
    escapeCell(userLabel(l), 20),
    escapeCell(holdsList(l.holds, places).join(', ') || '-', 80),
    outcomeLabel(l),
  ]));
}

const outcomeLabel = (l: LeakEntry): string => (l.detail ? `${l.outcome}: ${escapeCell(l.detail, 40)}` : l.outcome);

/** Steps in order of first appearance; unknown step last. */
function groupByStep(leaks: readonly LeakEntry[]): Map<string, LeakEntry[]> {
  const groups = new Map<string, LeakEntry[]>();
  for (const l of leaks) {
    const key = l.step ?? '\u0000unknown';
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  }
  const unknown = groups.get('\u0000unknown');
  if (unknown) {
    groups.delete('\u0000unknown');
    groups.set('\u0000unknown', unknown);
  }
  return groups;
}
