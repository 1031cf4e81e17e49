/**
 * Post (job end, `post-if: always()`): find what the job left, end it, and
 * report it four ways: job summary, annotations, console log, JSON file.
 * Everything but the rendering lives in finishJob, shared with the CLI.
 */
import * as core from '@actions/core';
import { type Baseline, BaselineFileError, loadBaseline } from '../engine/index.js';
import { finishJob } from '../job/finish.js';
import { annotations, renderConsole, renderSummary, writeJsonReport } from '../report/index.js';
import { Output, State } from './constants.js';
import { fallbackBaseline, fallbackHasMarks } from './fallback.js';
import { readInputs } from './inputs.js';
import { defaultReportFile, runnerTemp } from './paths.js';

export async function runPost(): Promise<void> {
  try {
    if (process.platform === 'win32') {
      core.info('strays: Windows runners are not supported yet; nothing was checked.');
      return;
    }
    const options = readInputs();
    const baseline = await baselineOrFallback();
    const { report, failed, notes } = await finishJob({
      baseline,
      options,
      context: {
        workspace: process.env.GITHUB_WORKSPACE,
        runnerTemp: runnerTemp(),
        isolation: baseline.cgroup ? 'cgroup' : 'marker',
      },
    });
    for (const note of notes) core.info(`strays: ${note}`);
    const reportPath = options.reportPath ?? defaultReportFile(baseline.session);
    writeJsonReport(reportPath, report);

    core.info(renderConsole(report, { color: false }));
    for (const a of annotations(report, failed)) (a.level === 'error' ? core.error : core.warning)(a.message, { title: a.title });
    // Outside a runner there is no summary file; core.summary.write would throw.
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderSummary(report), true).write();

    // Only proven leaks count and fail; unattributed processes (possibly the job's) have their own count.
    const leaked = report.leaks.length;
    core.setOutput(Output.LeakedCount, String(leaked));
    core.setOutput(Output.UnattributedCount, String(report.unattributed.length));
    core.setOutput(Output.ReportPath, reportPath);
    if (failed) {
      core.setFailed(`strays: ${leaked} leaked process${leaked === 1 ? '' : 'es'} (fail-on-leak is on); see the job summary or ${reportPath}.`);
    }
  } catch (error) {
    core.setFailed(`strays post: ${(error as Error).message}`);
  }
}

async function baselineOrFallback(): Promise<Baseline> {
  const file = core.getState(State.BaselinePath);
  // The digest and the session live in the action's state, which the job's steps cannot write.
  const digest = core.getState(State.BaselineDigest);
  const session = core.getState(State.Session);
  if (file !== '') {
    try {
      return loadBaseline(file, { sha256: digest === '' ? undefined : digest });
    } catch (error) {
      if (!(error instanceof BaselineFileError)) throw error;
      core.warning(`strays: ${error.message} Falling back to the job's own marks (RUNNER_TRACKING_ID, STRAYS_SESSION).`);
    }
  } else {
    core.warning("strays: the pre step left no baseline (did it run?). Falling back to the job's own marks (RUNNER_TRACKING_ID, STRAYS_SESSION).");
  }
  const kept = session === '' ? undefined : session;
  if (!fallbackHasMarks(process.env, kept)) core.warning("strays: neither RUNNER_TRACKING_ID nor the session pre recorded is known; no process can be tied to this job.");
  return fallbackBaseline(process.env, kept);
}
