/**
 * The baseline post uses when pre's is missing, unreadable or changed (README,
 * What each step does): no pre-job process is known, so only what carries this
 * job's own marks, or descends from it, can be a finding. The time-window guess
 * (engine/time-window.ts) is off: it needs the job's user, unknown here (`uid`
 * undefined). The job is taken to have begun when the post step's parent did:
 * on a runner that is Runner.Worker, started for each job (actions/runner
 * src/Runner.Listener/JobDispatcher.cs).
 */
import { type Baseline, TRACKING_VAR, isSessionId, newSessionId, snapshotFrom } from '../engine/index.js';
import { readTable } from '../proc/index.js';

export async function fallbackBaseline(env: NodeJS.ProcessEnv = process.env, stateSession?: string): Promise<Baseline> {
  // Only the session pre kept in the action's state: a step can write any STRAYS_SESSION to GITHUB_ENV,
  // e.g. another job's, and the fallback must never adopt it. Without one (a fresh id matches nothing),
  // the tracking id alone decides.
  const taken = snapshotFrom({
    table: await readTable(),
    session: stateSession !== undefined && isSessionId(stateSession) ? stateSession : newSessionId(),
    runnerTrackingId: env[TRACKING_VAR],
  });
  const parent = taken.ancestors[0];
  return { ...taken, start: parent?.start ?? 0, processes: [], uid: undefined };
}

/** True when the fallback can attribute anything at all. */
export const fallbackHasMarks = (env: NodeJS.ProcessEnv = process.env, stateSession?: string): boolean =>
  Boolean(env[TRACKING_VAR]) || (stateSession !== undefined && isSessionId(stateSession));
