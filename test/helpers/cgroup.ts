/** Moving a process by hand, for the cgroup tests (strays itself moves in the scripts of src/cgroup/phases.ts). */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Moves a process (all its threads) into `dir`; false when it no longer exists (ESRCH). */
export function moveProcess(dir: string, pid: number): boolean {
  try {
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), `${pid}\n`);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

export { pruneStaleJobCgroups } from '../../src/cgroup/index.js';

/** 16 random hex digits: what follows `strays-` in a job cgroup's name (isSessionId). */
export const hex16 = (): string => randomBytes(8).toString('hex');

/** Removes the cgroups a test made, last made first (children before parents); empties the list. */
export function removeMade(made: string[]): void {
  for (const dir of made.reverse()) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // already pruned, or removed with its parent
    }
  }
  made.length = 0;
}
