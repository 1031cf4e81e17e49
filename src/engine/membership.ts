/**
 * Direct membership: what a process's own evidence says about this job
 * (README "What counts as the job's", rules 4 and 5); lineage is decided
 * later (detect.ts). A marker is a value any process can set: a value not
 * this job's is judged for what it is. `unknown` (environment not read at
 * all) is the only case the time-window guess may consider.
 */
import type { ProcessInfo } from '../proc/index.js';
import type { Baseline } from './baseline.js';
import type { Attribution } from './findings.js';
import { marksOf, SESSION_VAR, TRACKING_VAR } from './session.js';
import { untrusted } from '../text/untrusted.js';

export type Membership =
  | { readonly kind: 'member'; readonly attribution: Attribution; readonly reason: string }
  | { readonly kind: 'foreign'; readonly reason: string }
  | { readonly kind: 'against'; readonly reason: string; readonly marked: boolean }
  | { readonly kind: 'unknown' };

/** An extra way to recognise the job's processes (cgroup, privileged read …). */
export interface MembershipRule {
  readonly attribution: Attribution;
  /** A reason when `p` is the job's, else undefined. */
  test(p: ProcessInfo): string | undefined;
}

/**
 * `liveSessions`: STRAYS_SESSION values of other jobs the host state records
 * as live; only those make another session value a foreign job's.
 */
export function markerMembership(
  baseline: Baseline,
  p: ProcessInfo,
  liveSessions: ReadonlySet<string> = new Set(),
): Membership {
  if (!p.env?.readable) return { kind: 'unknown' };
  const { session, trackingId: tracking } = marksOf(p);
  const ours = baseline.runnerTrackingId;
  // An environment the checker could not read itself, read as root (src/proc/privileged.ts): exact, but say how.
  const privileged = p.env?.readable === true && p.env.via === 'privileged';
  const how = privileged ? " (environment read as root; unreadable to the job's user)" : '';
  const member = (attribution: Attribution, variable: string): Membership => ({
    kind: 'member',
    attribution: privileged ? 'privileged-read' : attribution,
    reason: `carries this job's ${variable}${how}`,
  });
  if (session === baseline.session) return member('marker', SESSION_VAR);
  if (session !== undefined && liveSessions.has(session))
    return {
      kind: 'foreign',
      reason: `carries ${SESSION_VAR}=${untrusted(session, 60)} of another live job (host state)`,
    };
  if (ours !== undefined && tracking === ours) return member('tracking-id', TRACKING_VAR);
  if (tracking !== undefined)
    return { kind: 'foreign', reason: `carries another job's ${TRACKING_VAR}=${untrusted(tracking, 60)}` };
  const read = privileged ? 'environment (read as root)' : 'environment';
  if (session !== undefined) {
    return {
      kind: 'against',
      marked: true,
      reason: `${read} carries ${SESSION_VAR}=${untrusted(session, 60)}, not this job's nor a live job's: no evidence either way; without this job's marker it is not the job's`,
    };
  }
  return { kind: 'against', marked: false, reason: `${read} has no job marker` };
}

export function directMembership(
  baseline: Baseline,
  p: ProcessInfo,
  rules: readonly MembershipRule[],
  liveSessions?: ReadonlySet<string>,
): Membership {
  const marker = markerMembership(baseline, p, liveSessions);
  if (marker.kind === 'member') return marker;
  for (const rule of rules) {
    const reason = rule.test(p);
    if (reason !== undefined) return { kind: 'member', attribution: rule.attribution, reason };
  }
  return marker;
}
