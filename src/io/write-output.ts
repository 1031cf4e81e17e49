/**
 * Writing a file at a path someone else chose (report-path, --json,
 * --metrics): the one writer for every output strays produces.
 *
 * rename(2) replaces whatever the name points at, so as root writing a report
 * to `/dev/null` by temp-file-and-rename replaces the device node with a
 * regular file. An output path is therefore checked when it is given (parse
 * time, the pre step) and again just before the write (a job step may have
 * put a FIFO or a device there since): it must name a regular file, or
 * nothing yet in an existing directory this process can write. The file is written to
 * a temporary name opened with O_CREAT|O_EXCL|O_NOFOLLOW (no planted link is
 * followed), then renamed over the target: a reader never sees half a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type OutputFileRules, PathError, makeDirectory, validateOutputFile } from '../config/paths.js';

/**
 * Why `file` cannot take an output, or undefined when it can: the rule of
 * validateOutputFile (src/config/paths.ts), the same at parse time and at
 * write time.
 */
export function outputPathProblem(file: string, rules: OutputFileRules = {}): string | undefined {
  try {
    validateOutputFile('output', file, rules);
    return undefined;
  } catch (error) {
    if (error instanceof PathError) return error.problem;
    throw error;
  }
}

export interface WriteRules extends OutputFileRules {
  /** The option or input as the user knows it, for the error: `--json`, `input report-path`. */
  readonly option?: string;
}

/**
 * Writes `text` to `file` atomically, mode `mode` (default 0600: reports name
 * commands and paths). Throws PathError (one sentence) when the path cannot
 * take an output, before and just after writing the temporary file.
 */
export function writeOutputFile(file: string, text: string, mode = 0o600, rules: WriteRules = {}): void {
  const option = rules.option ?? 'output';
  const full = validateOutputFile(option, file, rules);
  if (rules.createParents) makeDirectory(option, path.dirname(full));
  const temp = path.join(path.dirname(full), `.${path.basename(full)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(
      temp,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      mode,
    );
    fs.writeFileSync(fd, text);
    fs.fchmodSync(fd, mode); // the umask may have taken bits the caller asked for (0644 metrics)
    fs.closeSync(fd);
    fd = undefined;
    // Checked again at the last moment: rename(2) would replace a device put there meanwhile.
    validateOutputFile(option, full, rules);
    fs.renameSync(temp, full);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
