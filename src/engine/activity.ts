/**
 * Was another job active on the host? The time-window guess may only end a
 * process when the answer is a confident "no" (README "Leaks the marker
 * cannot see", 2: the evidence). Pure: the host state's sessions are handed
 * in. Only a read environment can show a marker, which is why a second
 * Runner.Worker and the host state count too.
 */
import { isZombie, type ProcessInfo } from '../proc/index.js';
import type { Baseline } from './baseline.js';
import { SESSION_VAR, TRACKING_VAR, isSessionId } from './session.js';

/** comm of the GitHub runner's per-job process (actions/runner src/Runner.Worker). */
export const RUNNER_WORKER_COMM = 'Runner.Worker';

export interface HostActivity {
  /** True when nothing suggests another job was active. */
  readonly quiet: boolean;
  /** Human evidence of other jobs, e.g. "pid 812 (sleep) carries STRAYS_SESSION=strays-…"; at most a few. */
  readonly evidence: readonly string[];
}

export interface ActivityInput {
  readonly baseline: Baseline;
  readonly processes: readonly ProcessInfo[];
  /** Pids never counted: never-touch.ts. */
  readonly protectedPids: ReadonlySet<number>;
  /** Other active strays sessions known from the host state (their STRAYS_SESSION values). */
  readonly otherSessions?: readonly string[];
}

const MAX_EVIDENCE = 5;

export function hostActivity(input: ActivityInput): HostActivity {
  const { baseline } = input;
  const evidence: string[] = [];
  let total = 0;
  const note = (text: string): void => {
    total++;
    if (evidence.length < MAX_EVIDENCE) evidence.push(text);
  };
  for (const session of input.otherSessions ?? []) {
    if (session !== baseline.session) note(`strays session ${session} is active on this host`);
  }
  for (const p of input.processes) {
    if (isZombie(p) || input.protectedPids.has(p.pid)) continue;
    if (p.comm === RUNNER_WORKER_COMM) {
      note(`pid ${p.pid} is another runner's ${RUNNER_WORKER_COMM}`);
      continue;
    }
    const vars = p.env?.readable ? p.env.vars : undefined;
    if (!vars) continue;
    const session = vars[SESSION_VAR];
    const tracking = vars[TRACKING_VAR];
    // A malformed value is no job's session (newSessionId): evidence of nothing.
    if (session !== undefined && isSessionId(session) && session !== baseline.session) {
      note(`pid ${p.pid} (${p.comm}) carries another job's ${SESSION_VAR}=${session}`);
    } else if (
      tracking !== undefined &&
      tracking !== '' &&
      tracking !== baseline.runnerTrackingId &&
      session !== baseline.session
    ) {
      // Our own steps carry our session; without ours (strays run outside GitHub) any tracking id is another job's.
      note(`pid ${p.pid} (${p.comm}) carries another job's ${TRACKING_VAR}=${tracking}`);
    }
  }
  if (total > evidence.length) evidence.push(`and ${total - evidence.length} more`);
  return { quiet: total === 0, evidence };
}
