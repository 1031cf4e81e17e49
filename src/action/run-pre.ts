/**
 * Pre (job start): validate the inputs, snapshot the process table, mark the
 * session and hand the baseline to post. Runs before the job's own steps, so
 * every process they start inherits STRAYS_SESSION through GITHUB_ENV.
 */
import * as core from '@actions/core';
import { SESSION_VAR, saveBaseline, snapshot } from '../engine/index.js';
import { State } from './constants.js';
import { readInputs } from './inputs.js';
import { baselineFile } from './paths.js';

export async function runPre(): Promise<void> {
  try {
    if (process.platform === 'win32') {
      core.info('strays: Windows runners are not supported yet; this job is not guarded.');
      return;
    }
    // Inputs first: a bad value must fail here, before the job spends any time.
    const options = readInputs();
    const baseline = await snapshot();
    const file = baselineFile(baseline.session);
    saveBaseline(file, baseline);
    core.exportVariable(SESSION_VAR, baseline.session);
    core.saveState(State.BaselinePath, file);
    core.info(
      `strays: guarding this job as ${baseline.session} (${baseline.processes.length} processes before the job, ` +
        `kill ${options.kill}, fail-on-leak ${options.failOnLeak}, isolation ${options.isolation}).`,
    );
  } catch (error) {
    core.setFailed(`strays pre: ${(error as Error).message}`);
  }
}
