/**
 * Direct membership: does a process's own evidence tie it to this job, to
 * another job, or to nothing? Lineage is decided later, from these answers.
 */
import type { ProcessInfo } from '../proc/types.js';
import type { Baseline } from './baseline.js';
import type { Attribution } from './findings.js';
import { SESSION_VAR, TRACKING_VAR } from './session.js';

export type Membership =
  | { readonly kind: 'member'; readonly attribution: Attribution; readonly reason: string }
  | { readonly kind: 'foreign'; readonly reason: string }
  | { readonly kind: 'unknown' };

/** An extra way to recognise the job's processes (cgroup, privileged read …). */
export interface MembershipRule {
  readonly attribution: Attribution;
  /** A reason when `p` is the job's, else undefined. */
  test(p: ProcessInfo): string | undefined;
}

export function markerMembership(baseline: Baseline, p: ProcessInfo): Membership {
  const vars = p.env?.readable ? p.env.vars : undefined;
  if (!vars) return { kind: 'unknown' };
  const session = vars[SESSION_VAR];
  const tracking = vars[TRACKING_VAR];
  if (session !== undefined && session !== '' && session !== baseline.session) {
    return { kind: 'foreign', reason: `carries another job's ${SESSION_VAR}=${session}` };
  }
  const ours = baseline.runnerTrackingId;
  if (ours !== undefined && tracking !== undefined && tracking !== '' && tracking !== ours) {
    return { kind: 'foreign', reason: `carries another job's ${TRACKING_VAR}=${tracking}` };
  }
  // An environment the checker could not read itself, read as root (src/proc/privileged.ts): exact, but say how.
  const privileged = p.env?.readable === true && p.env.via === 'privileged';
  const how = privileged ? ' (environment read as root; unreadable to the job\'s user)' : '';
  if (session === baseline.session) {
    return { kind: 'member', attribution: privileged ? 'privileged-read' : 'marker', reason: `carries this job's ${SESSION_VAR}${how}` };
  }
  if (ours !== undefined && tracking === ours) {
    return { kind: 'member', attribution: privileged ? 'privileged-read' : 'tracking-id', reason: `carries this job's ${TRACKING_VAR}${how}` };
  }
  return { kind: 'unknown' };
}

export function directMembership(baseline: Baseline, p: ProcessInfo, rules: readonly MembershipRule[]): Membership {
  const marker = markerMembership(baseline, p);
  if (marker.kind !== 'unknown') return marker;
  for (const rule of rules) {
    const reason = rule.test(p);
    if (reason !== undefined) return { kind: 'member', attribution: rule.attribution, reason };
  }
  return marker;
}
