/**
 * The end of a CLI job (`check`, and `run` when its command exits): the
 * shared finishJob, then the report on stderr and in --json, then the status.
 */
import type { GuardOptions } from '../config/options.js';
import { BASELINE_DIGEST_VAR, type Baseline, BaselineFileError, SESSION_VAR, loadBaseline } from '../engine/index.js';
import { finishJob } from '../job/finish.js';
import { validateInputFile } from '../config/paths.js';
import { foundAnything, renderConsole, type Report, withNotes } from '../report/index.js';
import { type ColorWhen, type Values, colorOption, flag } from './args.js';
import { EXIT, UsageError } from './exit.js';
import { cliContext, pathOption } from './guard.js';
import { type Io, useColor, writeReport } from './output.js';

/** How a command shows its report: the options every job-ending command takes. */
export interface ReportView {
  readonly quiet: boolean;
  readonly color: ColorWhen;
  readonly showSecrets: boolean;
}

export const reportViewFrom = (command: string, values: Values): ReportView => ({
  quiet: flag(values, 'quiet'),
  color: colorOption(command, values),
  showSecrets: flag(values, 'show-secrets'),
});

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
      throw new UsageError(
        `strays ${command}: ${error.message} Expected the --state FILE written by \`strays start\` of this strays version.`,
        command,
      );
    }
    throw error;
  }
}

/**
 * Resolves with the status: EXIT.leaked when something leaked under --fail-on-leak, EXIT.failure when
 * the JSON could not be written, else EXIT.ok. `startNotes`: facts from the job's start (isolation, a
 * refused helper) kept in the report's notes, with the check's own, rather than printed on every run.
 */
export async function finishAndReport(
  io: Io,
  baseline: Baseline,
  options: GuardOptions,
  view: ReportView,
  startNotes: readonly string[] = [],
): Promise<number> {
  const context = { ...cliContext(baseline), showSecrets: view.showSecrets };
  const { failed, report, notes } = await finishJob({ baseline, options, context, checker: process.pid });
  const jsonError = emitReport(io, withNotes(report, [...startNotes, ...notes]), view, options.reportPath);
  if (jsonError) io.err(jsonError);
  return failed ? EXIT.leaked : jsonError ? EXIT.failure : EXIT.ok;
}

/**
 * Prints the report (table + one-line summary) unless quiet and clean, then
 * writes the JSON, best effort: the console report is out before the JSON is
 * tried. Returns an error message when the JSON could not be written, so the
 * caller decides the status.
 */
function emitReport(io: Io, report: Report, view: ReportView, json: string | undefined): string | undefined {
  if (!view.quiet || foundAnything(report))
    io.err(renderConsole(report, { color: useColor(io, io.errIsTty, view.color) }));
  const problem = writeReport(io, report, json);
  return problem && `strays: ${problem}`;
}
