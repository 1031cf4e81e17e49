/**
 * Where the CLI writes: reports on stderr (stdout belongs to the guarded
 * command, and `start`'s is eval'd), and in which colours (README, Options:
 * `--color`; NO_COLOR is https://no-color.org, FORCE_COLOR Node's and chalk's).
 */
import { type Report, serializeReport, STDOUT_PATH, writeJsonReport } from '../report/index.js';
import { untrusted } from '../text/untrusted.js';
import type { ColorWhen } from './args.js';
import { messageOf } from '../text/error-message.js';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly errIsTty: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  errIsTty: process.stderr.isTTY === true,
  env: process.env,
});

export function useColor(io: Io, tty: boolean, when: ColorWhen = 'auto'): boolean {
  if (when !== 'auto') return when === 'always';
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  return tty;
}

/** The JSON report into `json` (`-`: stdout), if given; why it could not be written, if it could not. */
export function writeReport(io: Io, report: Report, json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  try {
    if (json === STDOUT_PATH) io.out(serializeReport(report).trimEnd());
    else writeJsonReport(json, report);
    return undefined;
  } catch (error) {
    return `cannot write the JSON report ${untrusted(json)}: ${messageOf(error)}`;
  }
}
