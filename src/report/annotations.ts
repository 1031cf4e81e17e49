/**
 * Annotations within GitHub's limits (README, Annotations; GitHub docs,
 * "Workflow commands"). Pure: the adapter passes them to core.error / warning
 * / notice. The runner masks registered secrets in annotation messages, not
 * titles: titles hold no command line, only the executable name (comm), a
 * count and the step.
 */
import {
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
} from './format.js';
import type { LeakGroup, Report } from './types.js';

/** Under GitHub's 10 per level per step, all levels counted together. */
export const MAX_ANNOTATIONS = 10;

export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice';
  readonly title: string;
  readonly message: string;
}

/** `failing` defaults to the report's own verdict (fail-on-leak and something leaked). */
export function annotations(report: Report, failing: boolean = report.failed, reportPath?: string): Annotation[] {
  if (!foundAnything(report)) return [];
  const total = report.leaks.length + report.unattributed.length;
  const level = failing ? 'error' : 'warning';
  const firstOf = firstMembers(report);
  const outcomes = outcomeCounts(report).join(', ');
  const where = reportPath ? `the job summary and ${reportPath}` : 'the job summary';
  const job: Annotation = {
    level: report.counts.leaked > 0 ? level : 'warning',
    title: `strays: ${plural(report.counts.leaked, 'leaked process')}${report.unattributed.length > 0 ? `, ${report.unattributed.length} unattributed` : ''}${report.zombies.length > 0 ? `, ${plural(report.zombies.length, 'zombie')}` : ''}`,
    message: `This job left ${plural(total, 'process')} running in ${plural(report.groups.length, 'group')}${outcomes ? ` (${outcomes})` : ''}. Every pid is in ${where}.`,
  };
  const one = (g: LeakGroup): Annotation => {
    const first = firstOf(g);
    const holds = first ? holdsList(first.holds, report) : [];
    const facts = [
      `started by step ${stepLabel(g)}`,
      `running for ${formatAge(g.ageMs)}`,
      holds.length > 0 ? `holds ${holds.join(', ')}${g.count > 1 ? ' (first of them)' : ''}` : undefined,
      first?.reparented ? `reparented to pid ${first.ppid}` : undefined,
      `outcome: ${g.outcome}${g.detail ? ` (${g.detail})` : ''}`,
    ].filter((s): s is string => s !== undefined);
    const pids =
      g.count === 1
        ? `pid ${g.pids[0]}`
        : `${g.count} processes (pids ${g.pids.slice(0, 10).join(', ')}${g.count > 10 ? ', …' : ''})`;
    return {
      level: g.section === 'unattributed' ? 'warning' : level,
      title: shortenWords(
        oneLine(
          `strays: ${g.section === 'unattributed' ? 'possibly leaked' : 'leaked'} ${g.count > 1 ? `${g.count} × ` : ''}${g.comm}${g.step ? ` (step ${stepLabel(g)})` : ''}`,
        ),
        120,
      ),
      message: oneLine(`${pids}: ${shortenWords(g.command, 300)}: ${facts.join('; ')}.`),
    };
  };
  const groups = report.groups.map(one);
  const room = MAX_ANNOTATIONS - 1;
  if (groups.length <= room) return [job, ...groups];
  const shown = groups.slice(0, room - 1);
  const left = report.groups.slice(room - 1);
  const more: Annotation = {
    level: 'notice',
    title: `strays: ${plural(left.length, 'more group')} not annotated`,
    message: `${plural(left.length, 'more group')} (${plural(processCount(left), 'process')}) are listed in ${where}; GitHub shows at most 10 annotations of a kind per step.`,
  };
  return [job, ...shown, more];
}
