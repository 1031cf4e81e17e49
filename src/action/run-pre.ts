/**
 * Pre (job start): validate the inputs, snapshot the process table, mark the
 * session and hand the baseline to post. Runs before the job's own steps, so
 * every process they start inherits STRAYS_SESSION through GITHUB_ENV.
 */
import * as core from '@actions/core';
import { SESSION_VAR, saveBaseline } from '../engine/index.js';
import { beginJob } from '../job/begin.js';
import { withBegun } from '../job/undo-begin.js';
import { ownerForAction } from '../host/index.js';
import { outputPathProblem } from '../io/write-output.js';
import { quoted } from '../text/untrusted.js';
import { Input, State } from './constants.js';
import { readInputs } from './inputs.js';
import { actionStep } from './step.js';
import { baselineFile } from './paths.js';

export const runPre = actionStep('pre', 'this job is not guarded.', async () => {
  // Inputs first: a bad value must fail here, before the job spends any time.
  const options = readInputs();
  // report-path is checked now, before the job runs: a device, FIFO or directory is refused (src/io/write-output.ts).
  if (options.reportPath !== undefined) {
    const problem = outputPathProblem(options.reportPath);
    if (problem !== undefined)
      throw new Error(`Invalid input ${Input.ReportPath}: ${quoted(options.reportPath)} ${problem}.`);
  }
  // The pre step's parent is the runner's Runner.Worker: it runs this one job and exits at
  // its end (host state owner), and every later step is its child (moved into the job cgroup).
  const { baseline, notes } = await beginJob({
    isolation: options.isolation,
    owner: ownerForAction,
    cgroupPid: process.ppid,
  });
  for (const note of notes) core.info(`strays: ${note}`);
  const file = baselineFile(baseline.session);
  // Until post can find the baseline, a failure undoes the start (withBegun).
  await withBegun(
    baseline,
    ({ handOver }) => {
      const digest = saveBaseline(file, baseline);
      core.exportVariable(SESSION_VAR, baseline.session);
      core.saveState(State.BaselinePath, file);
      core.saveState(State.BaselineDigest, digest);
      core.saveState(State.Session, baseline.session);
      handOver(); // post ends the job
    },
    (note) => core.info(`strays: ${note}`),
  );
  core.info(
    `strays: guarding this job as ${baseline.session} (${baseline.processes.length} processes before the job, ` +
      `kill ${options.kill}, fail-on-leak ${options.failOnLeak}, isolation ${options.isolation}).`,
  );
});
