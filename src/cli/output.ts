/**
 * Where the CLI writes. Reports go to stderr for `run` and `check` (stdout
 * belongs to the guarded command, and `start`'s stdout is eval'd); `ps`
 * prints its tree on stdout. Colours only on a TTY and never with NO_COLOR
 * (https://no-color.org: set and not empty).
 */
import type { Report } from '../report/types.js';
import { renderConsole, writeJsonReport } from '../report/index.js';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly errIsTty: boolean;
  readonly outIsTty: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  errIsTty: process.stderr.isTTY === true,
  outIsTty: process.stdout.isTTY === true,
  env: process.env,
});

export const useColor = (io: Io, tty: boolean): boolean => tty && !(io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '');

const somethingLeaked = (r: Report): boolean => r.leaks.length + r.unattributed.length + r.zombies.length > 0;

/**
 * Prints the report (table + one-line summary) unless quiet and clean, and
 * writes the JSON file when asked. Returns an error message when the JSON
 * could not be written, so the caller decides the status.
 */
export function emitReport(io: Io, report: Report, options: { quiet: boolean; json: string | undefined }): string | undefined {
  if (!options.quiet || somethingLeaked(report)) io.err(renderConsole(report, { color: useColor(io, io.errIsTty) }));
  if (options.json === undefined) return undefined;
  try {
    writeJsonReport(options.json, report);
    return undefined;
  } catch (error) {
    return `strays: cannot write the JSON report ${options.json}: ${(error as Error).message}`;
  }
}
