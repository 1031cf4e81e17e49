/** The JSON report on disk, written atomically: a reader never sees half a report. */
import fs from 'node:fs';
import path from 'node:path';
import type { Report } from './types.js';

export const serializeReport = (report: Report): string => `${JSON.stringify(report, null, 2)}\n`;

export function writeJsonReport(file: string, report: Report): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, serializeReport(report));
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
