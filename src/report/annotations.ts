/**
 * One annotation per leaked process, for core.error / core.warning: the
 * adapter passes them on; this stays pure. `error` when the job fails on the
 * leak, `warning` when it only reports.
 */
import { formatAge, holdsList, oneLine, shorten, stepLabel } from './format.js';
import type { LeakEntry, Report } from './types.js';

export interface Annotation {
  readonly level: 'error' | 'warning';
  readonly title: string;
  readonly message: string;
}

/** `failing` defaults to the report's own verdict (fail-on-leak and something leaked). */
export function annotations(report: Report, failing: boolean = report.failed): Annotation[] {
  const places = { workspace: report.workspace, runnerTemp: report.runnerTemp };
  const one = (l: LeakEntry, what: string): Annotation => {
    const holds = holdsList(l.holds, places);
    const facts = [
      `started by step ${stepLabel(l)}`,
      `running for ${formatAge(l.ageMs)}`,
      holds.length > 0 ? `holds ${holds.join(', ')}` : undefined,
      l.reparented ? `reparented to pid ${l.ppid}` : undefined,
      `outcome: ${l.outcome}${l.detail ? ` (${l.detail})` : ''}`,
    ].filter((s): s is string => s !== undefined);
    return {
      level: failing ? 'error' : 'warning',
      title: shorten(oneLine(`strays: ${what} ${l.comm} (pid ${l.pid})`), 120),
      message: oneLine(`pid ${l.pid} ${shorten(l.command, 200)}: ${facts.join('; ')}.`),
    };
  };
  return [...report.leaks.map((l) => one(l, 'leaked process')), ...report.unattributed.map((l) => ({ ...one(l, 'possibly leaked process'), level: 'warning' as const }))];
}
