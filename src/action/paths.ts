/** Where the action keeps its files: under RUNNER_TEMP, which the runner empties after every job. */
import os from 'node:os';
import path from 'node:path';

export const runnerTemp = (): string => process.env.RUNNER_TEMP || os.tmpdir();

/** The baseline of one session; named by the session so concurrent jobs on one host never share a file. */
export const baselineFile = (session: string): string => path.join(runnerTemp(), `${session}.baseline.json`);

export const defaultReportFile = (session: string): string => path.join(runnerTemp(), `${session}.report.json`);
