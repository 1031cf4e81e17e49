/**
 * The JSON report on disk: through the one safe writer (src/io/write-output.ts:
 * a regular file or a new one, never a device; atomic; mode 0600, since even a
 * redacted report names commands and paths), or on stdout for `--json -`.
 */
import { writeOutputFile } from '../io/write-output.js';
import type { Report } from './types.js';

export const serializeReport = (report: Report): string => `${JSON.stringify(report, null, 2)}\n`;

/** `-` as a report path: standard output. */
export const STDOUT_PATH = '-';

export function writeJsonReport(file: string, report: Report): void {
  writeOutputFile(file, serializeReport(report), 0o600);
}
