/**
 * The baseline post uses when pre's is missing or unreadable (pre skipped, a
 * step deleted RUNNER_TEMP, a damaged file). No pre-job process is known, so
 * only a process that carries this job's own marks (STRAYS_SESSION, if pre got
 * as far as exporting it, or the runner's RUNNER_TRACKING_ID), or descends
 * from one that does, can be a finding; the runner chain of the post process
 * stays protected. Never a guess: an unmarked process is left alone, so the
 * time-window heuristic (engine/time-window.ts) is off: it applies only when
 * the baseline knows the job's user, and this one does not (`uid` undefined).
 * With no baseline start, the job is taken to have begun when the post step's
 * parent did: on a runner that is Runner.Worker, which the runner starts for
 * each job (actions/runner src/Runner.Listener/JobDispatcher.cs).
 */
import { type Baseline, SESSION_VAR, TRACKING_VAR, isSessionId, newSessionId, snapshotFrom } from '../engine/index.js';
import { readTable } from '../proc/index.js';

export async function fallbackBaseline(env: NodeJS.ProcessEnv = process.env): Promise<Baseline> {
  const exported = env[SESSION_VAR];
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
export const fallbackHasMarks = (env: NodeJS.ProcessEnv = process.env): boolean =>
  Boolean(env[TRACKING_VAR]) || (env[SESSION_VAR] !== undefined && isSessionId(env[SESSION_VAR]));
