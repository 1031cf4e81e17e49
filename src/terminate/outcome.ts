/**
 * What happened to each target, told truthfully. Pure.
 *
 * The outcome is decided from two things only: what we did to the process
 * (the signals kill(2) accepted, or why we stopped before signalling) and one
 * last look at it. A zombie is dead: it is never `survived`, and never
 * reported as a running leak.
 */
import type { Finding } from '../engine/index.js';
import type { NotRunning } from '../proc/index.js';
import type { TerminationResult } from './types.js';

/** Why a target was left alone before any signal reached it, or could not be signalled. */
export type Settled = NotRunning | { readonly kind: 'protected' | 'denied'; readonly detail: string };

/** The mutable record index.ts keeps per target while it works. */
export interface TargetRecord {
  readonly finding: Finding;
  readonly pid: number;
  readonly start: number;
  readonly signals: string[];
  via: 'group' | 'process' | 'none';
  settled?: Settled | undefined;
  /** Signalled through the privileged helper (another user's process, EPERM to us). */
  helper?: boolean;
}

/** The last look: `running` only if the pid still has the target's start stamp and is not a zombie. */
export type FinalLook =
  | { readonly kind: 'dead' }
  | { readonly kind: 'zombie'; readonly reaper: number | undefined }
  | { readonly kind: 'running'; readonly state: string | undefined; readonly wchan: string | undefined };

export function outcomeOf(record: TargetRecord, final: FinalLook): TerminationResult {
  const base = { pid: record.pid, start: record.start, signals: [...record.signals], via: record.via };
  const settled = record.settled;
  if (settled) {
    switch (settled.kind) {
      case 'protected':
        return { ...base, outcome: 'reported', via: 'none', detail: settled.detail };
      case 'gone':
        return { ...base, outcome: 'gone', detail: 'had exited before it was signalled' };
      case 'reused':
        return {
          ...base,
          outcome: 'gone',
          detail: `pid reused: now a process started at tick ${settled.start}, not ${record.start}; not signalled`,
        };
      case 'zombie':
        return {
          ...base,
          outcome: 'zombie',
          reaper: settled.reaper,
          detail: zombieDetail(settled.reaper, 'had already exited'),
        };
      case 'denied':
        return { ...base, outcome: 'not-permitted', detail: settled.detail };
    }
  }
  const neededKill = record.signals.includes('SIGKILL');
  const how = neededKill ? 'ended on SIGKILL' : 'ended on SIGTERM';
  switch (final.kind) {
    case 'zombie':
      return { ...base, outcome: 'zombie', reaper: final.reaper, detail: zombieDetail(final.reaper, how) };
    case 'dead':
      return { ...base, outcome: neededKill ? 'killed' : 'exited' };
    case 'running': {
      const parts = [`still running after ${record.signals.join(', ') || 'no signal'}`];
      if (final.state !== undefined)
        parts.push(`state ${final.state}${final.state === 'D' ? ' (uninterruptible sleep)' : ''}`);
      if (final.wchan !== undefined) parts.push(`wchan ${final.wchan}`);
      return { ...base, outcome: 'survived', detail: parts.join('; ') };
    }
  }
}

/** Short enough for a table cell: how it died, and who must wait(2) for it. */
const zombieDetail = (reaper: number | undefined, how: string): string =>
  `${how}; ${reaper === undefined ? 'its parent' : `pid ${reaper}`} must reap it`;

/** `kill: false`: nothing is signalled, everything is reported as found. */
export function reportedOnly(findings: readonly Finding[]): TerminationResult[] {
  return findings.map((f) => ({
    pid: f.process.pid,
    start: f.process.start,
    outcome: 'reported',
    signals: [],
    via: 'none',
    detail: 'kill is off: not signalled',
  }));
}
