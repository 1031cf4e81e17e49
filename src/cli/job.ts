/**
 * The end of a CLI job (`check`, and `run` when its command exits): the
 * shared finishJob, then the report on stderr and in --json, then the status.
 */
import type { GuardOptions } from '../config/options.js';
import { BASELINE_DIGEST_VAR, type Baseline, BaselineFileError, SESSION_VAR, loadBaseline } from '../engine/index.js';
import { finishJob } from '../job/finish.js';
import { validateInputFile } from '../config/paths.js';
import { EXIT, UsageError } from './exit.js';
import { cliContext, pathOption } from './guard.js';
import { type Io, emitReport } from './output.js';

/** Loads a --state file; any fault of the file is bad input (status 2), named with the file. */
export function loadState(command: string, file: string, env: NodeJS.ProcessEnv = process.env): Baseline {
  // A FIFO, /dev/zero or a directory is refused by type before any read.
  pathOption(command, () => validateInputFile('--state', file));
  try {
    const baseline = loadBaseline(file);
    // In the shell that eval'd `strays start`, its digest authenticates the file (a step cannot change that shell's variables).
    const digest = env[BASELINE_DIGEST_VAR];
    if (digest && env[SESSION_VAR] === baseline.session) return loadBaseline(file, { sha256: digest });
    return baseline;
  } catch (error) {
    if (error instanceof BaselineFileError) {
      throw new UsageError(`strays ${command}: ${error.message} Expected the --state FILE written by \`strays start\` of this strays version.`, command);
    }
    throw error;
  }
}

export interface Finished {
  /** EXIT.leaked when something leaked under --fail-on-leak, EXIT.failure when the JSON could not be written, else EXIT.ok. */
  readonly status: number;
  readonly leaked: number;
}

export async function finishAndReport(io: Io, baseline: Baseline, options: GuardOptions, quiet: boolean): Promise<Finished> {
  const { report, failed, notes } = await finishJob({ baseline, options, context: cliContext(baseline), checker: process.pid });
  if (!quiet) for (const note of notes) io.err(`strays: ${note}`);
  const jsonError = emitReport(io, report, { quiet, json: options.reportPath });
  if (jsonError) io.err(jsonError);
  const leaked = report.leaks.length; // unattributed processes are not proven leaks
  return { status: failed ? EXIT.leaked : jsonError ? EXIT.failure : EXIT.ok, leaked };
}
