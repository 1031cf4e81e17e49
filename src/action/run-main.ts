/** Main (the step's own position in the job): one line saying the job is guarded. */
import * as core from '@actions/core';
import { BaselineFileError, SESSION_VAR, loadBaseline } from '../engine/index.js';
import { State } from './constants.js';
import { actionStep } from './step.js';

export const runMain = actionStep('main', 'this job is not guarded.', async () => {
  const file = core.getState(State.BaselinePath);
  if (file === '') {
    core.warning('strays: the pre step did not record a baseline; post will fall back to RUNNER_TRACKING_ID.');
    return;
  }
  let count: number;
  try {
    count = loadBaseline(file).processes.length;
  } catch (error) {
    // Post decides what to do without a baseline; main only reports.
    if (!(error instanceof BaselineFileError)) throw error;
    core.warning(`strays: ${error.message} Post will fall back to RUNNER_TRACKING_ID.`);
    return;
  }
  core.info(
    `strays: job guarded, session ${process.env[SESSION_VAR] ?? 'unknown'}, ${count} processes in the baseline.`,
  );
});
