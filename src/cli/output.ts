/**
 * Where the CLI writes. Reports go to stderr for `run` and `check` (stdout
 * belongs to the guarded command, and `start`'s stdout is eval'd); `ps`
 * prints its tree on stdout; `--json -` puts the JSON report on stdout.
 *
 * Colour: `--color always|never` decides; `auto` (the default) follows
 * NO_COLOR (https://no-color.org: set and not empty turns colour off), then
 * FORCE_COLOR (set, and not `0` or `false`, turns it on: CI logs are not
 * terminals but render ANSI; the convention of Node and chalk), then whether
 * the stream is a terminal.
 */
import { renderConsole, type Report, serializeReport, STDOUT_PATH, writeJsonReport } from '../report/index.js';
import { untrusted } from '../text/untrusted.js';
import type { ColorWhen } from './args.js';
import { messageOf } from '../text/error-message.js';

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

export function useColor(io: Io, tty: boolean, when: ColorWhen = 'auto'): boolean {
  if (when !== 'auto') return when === 'always';
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  return tty;
}

const somethingLeaked = (r: Report): boolean => r.leaks.length + r.unattributed.length + r.zombies.length > 0;

export interface EmitOptions {
  readonly quiet: boolean;
  readonly json: string | undefined;
  readonly color?: ColorWhen;
}

/**
 * Prints the report (table + one-line summary) unless quiet and clean, then
 * writes the JSON, best effort: the console report is out before the JSON is
 * tried. Returns an error message when the JSON could not be written, so the
 * caller decides the status.
 */
export function emitReport(io: Io, report: Report, options: EmitOptions): string | undefined {
  if (!options.quiet || somethingLeaked(report))
    io.err(renderConsole(report, { color: useColor(io, io.errIsTty, options.color) }));
  if (options.json === undefined) return undefined;
  try {
    if (options.json === STDOUT_PATH) io.out(serializeReport(report).trimEnd());
    else writeJsonReport(options.json, report);
    return undefined;
  } catch (error) {
    return `strays: cannot write the JSON report ${untrusted(options.json)}: ${messageOf(error)}`;
  }
}
