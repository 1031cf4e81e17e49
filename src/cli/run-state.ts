/**
 * Where `strays run` keeps its baseline when no --state is given: a private
 * folder of its own in the temporary directory, and how that goes again,
 * whether run itself or its finisher (`check --remove-state`) ends the job.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'strays-run-';

/** --state FILE, or a baseline.json in a new private temporary folder (mkdtemp: 0700, a random name). */
export function stateLocation(kept: string | undefined): { readonly file: string; readonly own: boolean } {
  if (kept !== undefined) return { file: kept, own: false };
  return { file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), PREFIX)), 'baseline.json'), own: true };
}

/**
 * Removes a state file, and its folder when that is one of run's and now
 * empty: a finisher that ended a SIGKILLed run left the folder behind before.
 * rmdir(2) removes only an empty directory.
 */
export function removeState(file: string): void {
  fs.rmSync(file, { force: true });
  const dir = path.dirname(path.resolve(file));
  if (path.dirname(dir) !== path.resolve(os.tmpdir()) || !path.basename(dir).startsWith(PREFIX)) return;
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty (not only ours), or gone already
  }
}
