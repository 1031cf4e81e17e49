/**
 * Post (job end, `post-if: always()`): find what the job left, end it, and
 * report it four ways: job summary, annotations, console log, JSON file.
 * Everything but the rendering lives in finishJob, shared with the CLI.
 */
import * as core from '@actions/core';
import { type Baseline, BaselineFileError, loadBaseline } from '../engine/index.js';
import { finishJobReportFirst } from '../job/finish.js';
import {
  annotations,
  consoleReport,
  plural,
  renderNotes,
  renderSummary,
  type Report,
  withNotes,
  writeJsonReport,
} from '../report/index.js';
import { Output, State } from './constants.js';
import { fallbackBaseline, fallbackHasMarks } from './fallback.js';
import { readInputs } from './inputs.js';
import { actionStep } from './step.js';
import { messageOf } from '../text/error-message.js';
import { untrusted } from '../text/untrusted.js';
import { defaultReportFile, runnerTemp } from './paths.js';

export const runPost = actionStep('post', 'nothing was checked.', async () => {
  const options = readInputs();
  const baseline = await baselineOrFallback();
  const finished = await finishJobReportFirst({
    baseline,
    options,
    context: {
      workspace: process.env.GITHUB_WORKSPACE,
      runnerTemp: runnerTemp(),
      isolation: baseline.cgroup ? 'cgroup' : 'marker',
    },
  });
  const reportPath = options.reportPath ?? defaultReportFile(baseline.session);
  // Published while the job cgroup is closed: moving the runner chain out of it may wait for the kernel or sudo.
  const report = withNotes(finished.report, finished.notes);
  const written = await publish(report, finished.failed, reportPath);
  // What closing had to say (rare: a cgroup that cannot be removed) follows in the log, the summary and the JSON.
  const late = await finished.closing;
  if (late.length > 0) await publishLate(withNotes(report, late), late, written ? reportPath : undefined);
  if (finished.failed) {
    core.setFailed(
      `strays: ${plural(report.counts.leaked, 'leaked process')} (fail-on-leak is on); see the job summary${written ? ` or ${untrusted(reportPath)}` : ''}.`,
    );
  }
});

/** The report four ways; returns whether the JSON report was written. */
async function publish(report: Report, failed: boolean, reportPath: string): Promise<boolean> {
  // Everything a reader sees first, the JSON last and best effort: a report path that
  // cannot be written (read-only, replaced by a FIFO during the job) costs only the file.
  const text = consoleReport(report, { color: true });
  for (const section of text.sections) {
    core.startGroup(section.title);
    for (const line of section.lines) core.info(line);
    core.endGroup();
  }
  core.info(text.summary);
  for (const a of annotations(report, failed, reportPath)) {
    const emit = a.level === 'error' ? core.error : a.level === 'warning' ? core.warning : core.notice;
    emit(a.message, { title: a.title });
  }
  // Outside a runner there is no summary file; core.summary.write would throw.
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderSummary(report, reportPath), true).write();
  // Only proven leaks count and fail; unattributed processes (possibly the job's) have their own count.
  core.setOutput(Output.LeakedCount, String(report.counts.leaked));
  core.setOutput(Output.UnattributedCount, String(report.unattributed.length));
  try {
    writeJsonReport(reportPath, report);
    core.setOutput(Output.ReportPath, reportPath);
    return true;
  } catch (error) {
    core.warning(
      `strays: the JSON report was not written to ${untrusted(reportPath)}: ${messageOf(error)}. The job summary has every process.`,
    );
    return false;
  }
}

/** Notes that came after the report was published: a log line each, a fold in the summary, the JSON rewritten. */
async function publishLate(report: Report, late: readonly string[], reportPath: string | undefined): Promise<void> {
  for (const note of late) core.info(`strays: ${note}`);
  if (process.env.GITHUB_STEP_SUMMARY)
    await core.summary.addRaw(renderNotes(late, 'Notes on closing the job cgroup'), true).write();
  if (reportPath === undefined) return;
  try {
    writeJsonReport(reportPath, report);
  } catch (error) {
    core.warning(`strays: the JSON report at ${untrusted(reportPath)} lacks the last notes: ${messageOf(error)}.`);
  }
}

async function baselineOrFallback(): Promise<Baseline> {
  const file = core.getState(State.BaselinePath);
  // The digest and the session live in the action's state, which the job's steps cannot write.
  const digest = core.getState(State.BaselineDigest);
  const session = core.getState(State.Session);
  let why = 'the pre step left no baseline (did it run?).';
  if (file !== '') {
    try {
      return loadBaseline(file, { sha256: digest === '' ? undefined : digest });
    } catch (error) {
      if (!(error instanceof BaselineFileError)) throw error;
      why = error.message;
    }
  }
  core.warning(`strays: ${why} Falling back to the job's own marks (RUNNER_TRACKING_ID, STRAYS_SESSION).`);
  const kept = session === '' ? undefined : session;
  if (!fallbackHasMarks(process.env, kept))
    core.warning(
      'strays: neither RUNNER_TRACKING_ID nor the session pre recorded is known; no process can be tied to this job.',
    );
  return fallbackBaseline(process.env, kept);
}
