/**
 * The baseline post uses when pre's is missing or unreadable (pre skipped, a
 * step deleted RUNNER_TEMP, a damaged file). No pre-job process is known, so
 * only a process that carries this job's own marks (STRAYS_SESSION, if pre got
 * as far as exporting it, or the runner's RUNNER_TRACKING_ID), or descends
 * from one that does, can be a finding; the runner chain of the post process
 * stays protected. The session comes from the action's state when pre got
 * as far as saving it (steps cannot write the state; they can rewrite
 * STRAYS_SESSION through GITHUB_ENV). Never a guess: an unmarked process is left alone, so the
 * time-window heuristic (engine/time-window.ts) is off: it applies only when
 * the baseline knows the job's user, and this one does not (`uid` undefined).
 * With no baseline start, the job is taken to have begun when the post step's
 * parent did: on a runner that is Runner.Worker, which the runner starts for
 * each job (actions/runner src/Runner.Listener/JobDispatcher.cs).
 */
import { type Baseline, TRACKING_VAR, isSessionId, newSessionId, snapshotFrom } from '../engine/index.js';
import { readTable } from '../proc/index.js';

export async function fallbackBaseline(env: NodeJS.ProcessEnv = process.env, stateSession?: string): Promise<Baseline> {
  // Only the session pre kept in the action's state: a step can write any STRAYS_SESSION to GITHUB_ENV,
  // e.g. another job's, and the fallback must never adopt it. Without one, the tracking id alone decides.
  const exported = stateSession;
  const taken = snapshotFrom({
    table: await readTable(),
    // A fresh id matches nothing: then the tracking id alone decides.
    session: exported !== undefined && isSessionId(exported) ? exported : newSessionId(),
    runnerTrackingId: env[TRACKING_VAR],
  });
  const parent = taken.ancestors[0];
  return { ...taken, start: parent?.start ?? 0, processes: [], uid: undefined };
}

/** True when the fallback can attribute anything at all. */
export const fallbackHasMarks = (env: NodeJS.ProcessEnv = process.env, stateSession?: string): boolean =>
  Boolean(env[TRACKING_VAR]) || (stateSession !== undefined && isSessionId(stateSession));
