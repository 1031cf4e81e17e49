/**
 * The one writer of files: a reader (the next sweep, node_exporter, the post
 * step) sees the old file or the new one, never half of one. rename(2) is
 * atomic only within one filesystem, so the temporary file lives beside the
 * target, under a random name ending in neither `.json` nor `.prom` (listJobs
 * and node_exporter never read it), opened with O_EXCL|O_NOFOLLOW: in a shared
 * sticky folder root must not write through a link another user planted.
 *
 * rename(2) also replaces whatever the name is, so as root a report written to
 * `/dev/null` would replace the device: a path the user chose is checked by
 * validateOutputFile (src/config/paths.ts) when given and again just before
 * the rename (a job step may have put a FIFO or a device there since).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type OutputFileRules, PathError, makeDirectory, validateOutputFile } from '../config/paths.js';

/**
 * Writes `text` to `file` atomically with exactly `mode`; `beforeRename` may
 * throw to keep the old file. On any failure the temporary file is removed.
 */
export function writeFileAtomic(file: string, text: string, mode: number, beforeRename?: () => void): void {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let fd: number | undefined;
  try {
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    fd = fs.openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    fs.writeFileSync(fd, text);
    fs.fchmodSync(fd, mode); // the umask may have taken bits the caller asked for (0644 metrics)
    fs.closeSync(fd);
    fd = undefined;
    beforeRename?.();
    fs.renameSync(temp, file);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Why `file` cannot take an output, or undefined when it can (validateOutputFile's rule). */
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
 * Writes an output at a path the user chose, mode `mode` (default 0600:
 * reports name commands and paths). Throws PathError (one sentence) when the
 * path cannot take an output, before and just after writing the temporary file.
 */
export function writeOutputFile(file: string, text: string, mode = 0o600, rules: WriteRules = {}): void {
  const option = rules.option ?? 'output';
  const full = validateOutputFile(option, file, rules);
  if (rules.createParents) makeDirectory(option, path.dirname(full));
  // Checked again at the last moment: rename(2) would replace a device put there meanwhile.
  writeFileAtomic(full, text, mode, () => validateOutputFile(option, full, rules));
}
