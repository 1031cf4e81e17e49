/** A simulated job inside the test process: a real baseline and its marker. */
import { type Baseline, snapshotFrom } from '../../src/engine/baseline.js';
import { SESSION_VAR, newSessionId } from '../../src/engine/session.js';
import { readLinuxTable } from '../../src/proc/linux.js';

export interface TestJob {
  readonly baseline: Baseline;
  /** Environment for the job's steps: the test's own env plus this job's marker. */
  readonly env: NodeJS.ProcessEnv;
}

export function startTestJob(options: { runnerTrackingId?: string } = {}): TestJob {
  const baseline = snapshotFrom({
    table: readLinuxTable(),
    session: newSessionId(),
    runnerTrackingId: options.runnerTrackingId,
  });
  const env: NodeJS.ProcessEnv = { ...process.env, [SESSION_VAR]: baseline.session };
  delete env.RUNNER_TRACKING_ID;
  if (options.runnerTrackingId) env.RUNNER_TRACKING_ID = options.runnerTrackingId;
  return { baseline, env };
}
